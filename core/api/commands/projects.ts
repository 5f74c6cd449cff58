import { z } from 'zod'
import { projectInfoSchema } from '../records.ts'
import { name, notes, path, project } from './fields.ts'

export const projectListItemSchema = projectInfoSchema.partial().extend({
  path: z.string(),
  /** Set when the file could not be read; the other fields are then missing. */
  error: z.string().optional(),
})

/** A project in the workspace's trash (`projects.trash`); `path` is its file in the trash. */
export const trashedProjectSchema = projectListItemSchema.extend({
  /** When it was deleted, ISO time. */
  trashedAt: z.string(),
})

/** `projects.*`: the workspace's project files. */
export const projectCommands = {
  'projects.list': { params: z.strictObject({}), result: z.array(projectListItemSchema) },
  'projects.recent': {
    params: z.strictObject({}),
    result: z.array(
      z.object({ path: z.string(), name: z.string(), openedAt: z.string(), exists: z.boolean() }),
    ),
  },
  'projects.create': { params: z.strictObject({ name }), result: projectInfoSchema },
  'projects.open': { params: z.strictObject({ path: project }), result: projectInfoSchema },
  'projects.rename': { params: z.strictObject({ path: project, name }), result: projectInfoSchema },
  /** A copy with a new id; unnamed it is "<name> (copy)", "<name> (copy 2)", … */
  'projects.duplicate': {
    params: z.strictObject({ path: project, name: name.optional() }),
    result: projectInfoSchema,
  },
  /** To the trash (default), or for good; a project in the trash can only go for good. */
  'projects.delete': {
    params: z.strictObject({ path: project, toTrash: z.boolean().default(true) }),
    result: z.null(),
  },
  'projects.trash': { params: z.strictObject({}), result: z.array(trashedProjectSchema) },
  /** Back from the trash (`path` as listed by `projects.trash`) into the workspace. */
  'projects.restore': { params: z.strictObject({ path }), result: projectInfoSchema },
  /** A copy into the workspace; a name or id already there becomes "<name> (2)" / a new id. */
  'projects.import': { params: z.strictObject({ source: path }), result: projectInfoSchema },
  /**
   * A consistent copy to `destination` (outside the workspace folder), by default
   * `<exportDir>/<name>.basiscope` under a name not taken yet. An existing `destination` is
   * replaced only with `overwrite` (a save dialog that already asked the user passes it), and
   * only when it is a Basiscope project: never another kind of file.
   */
  'projects.export': {
    params: z.strictObject({
      path: project,
      destination: path.optional(),
      overwrite: z.boolean().default(false),
    }),
    result: z.object({ destination: z.string() }),
  },
  'projects.setNotes': {
    params: z.strictObject({ path: project, notes }),
    result: projectInfoSchema,
  },
} as const
