import { describe, expect, it } from 'vitest'
import { namePromptOf } from './name-prompts.ts'

describe('name prompts', () => {
  it('words each name dialog and starts from the name it changes', () => {
    expect(namePromptOf({ kind: 'create' })).toMatchObject({ submitTestid: 'create-project' })
    expect(namePromptOf({ kind: 'create' })?.initial).toBeUndefined()
    expect(namePromptOf({ kind: 'rename', name: 'A' })).toMatchObject({
      title: 'Rename “A”',
      initial: 'A',
    })
    expect(namePromptOf({ kind: 'duplicate', name: 'A' })?.initial).toBe('A (copy)')
    expect(namePromptOf({ kind: 'delete', name: 'A' })).toBeNull()
    expect(namePromptOf(null)).toBeNull()
  })
})
