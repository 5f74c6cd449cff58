/** Project names and the file names made from them. */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i

/** A file-name-safe slug of a project name: lower case letters/digits joined by '-'. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  if (slug === '') return 'project'
  return WINDOWS_RESERVED.test(slug) ? `${slug}-project` : slug
}

/** How a copy that Basiscope names is called: the first candidate, then the n-th (n ≥ 2). */
export interface NamePattern {
  readonly first: string
  nth(n: number): string
}

/** A duplicate of "X": "X (copy)", then "X (copy 2)", "X (copy 3)", … */
export function copyNames(name: string): NamePattern {
  return { first: `${name} (copy)`, nth: (n) => `${name} (copy ${n})` }
}

/** An imported or restored "X": "X" itself, then "X (2)", "X (3)", … */
export function numberedNames(name: string): NamePattern {
  return { first: name, nth: (n) => `${name} (${n})` }
}

/** The first name of the pattern no project has yet (names compare case-insensitively). */
export function distinctName(pattern: NamePattern, taken: Iterable<string>): string {
  const used = new Set([...taken].map((t) => t.trim().toLowerCase()))
  if (!used.has(pattern.first.toLowerCase())) return pattern.first
  for (let n = 2; ; n++) {
    const candidate = pattern.nth(n)
    if (!used.has(candidate.toLowerCase())) return candidate
  }
}
