import { customerUpcasters } from './customers/upcasters.ts';
import type { UpcasterRegistry } from './shared/event-versions.ts';

/** Every aggregate's event versions (types without an entry are at version 1). */
export const upcasters: UpcasterRegistry = { ...customerUpcasters };

/** The version an event type is written with today. */
export const currentVersion = (type: string): number => upcasters[type]?.current ?? 1;
