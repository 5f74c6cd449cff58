/** The name prompts of the Projects page's dialogs: they differ only in wording. */

export interface NamePrompt {
  readonly title: string
  readonly label: string
  readonly initial?: string
  readonly submitLabel: string
  readonly submitTestid: string
  readonly hint?: string
}

/** The prompt for creating, renaming or duplicating a project; null for any other dialog. */
export function namePromptOf(d: { kind: string; name?: string } | null): NamePrompt | null {
  if (d?.kind === 'create') {
    return {
      title: 'New project',
      label: 'Project name',
      submitLabel: 'Create',
      submitTestid: 'create-project',
      hint: 'Creates one .basiscope file in the workspace.',
    }
  }
  if (d?.kind === 'rename') {
    return {
      title: `Rename “${d.name}”`,
      label: 'New name',
      initial: d.name,
      submitLabel: 'Rename',
      submitTestid: 'rename-submit',
    }
  }
  if (d?.kind === 'duplicate') {
    return {
      title: `Duplicate “${d.name}”`,
      label: 'Name of the copy',
      initial: `${d.name} (copy)`,
      submitLabel: 'Duplicate',
      submitTestid: 'duplicate-submit',
      hint: 'Copies the project file with all its runs.',
    }
  }
  return null
}
