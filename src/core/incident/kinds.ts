/** What an incident is about. A module of its own: the action inputs (loaded before anything else) need it without the state's zod schema. */
export const KINDS = ['rollback', 'health', 'failure'] as const;
export type IncidentKind = (typeof KINDS)[number];
