// Event shape versions. Every event is written with metadata.schemaVersion = its type's current
// version; older shapes are upcast when read, so deciders, projections and the API see one shape.

/** data of version n → data of version n + 1 */
// biome-ignore lint/suspicious/noExplicitAny: an upcaster accepts whatever the older shape was
export type Upcaster = (data: any) => unknown;

export interface EventVersions {
  /** The version new events of this type are written with. */
  current: number;
  /** upcasters[n] turns version n into n + 1. */
  upcasters: Record<number, Upcaster>;
}

export type UpcasterRegistry = Record<string, EventVersions>;
