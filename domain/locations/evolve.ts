import type { LocationEvent } from './events.ts';
import type { LocationState } from './state.ts';

export function evolveLocation(state: LocationState, event: LocationEvent): LocationState {
  switch (event.type) {
    case 'LocationDefined': {
      const { definedAt, ...d } = event.data;
      return { status: 'defined', ...d, definedAt, updatedAt: definedAt };
    }
    case 'LocationChanged':
      if (state.status === 'none') return state;
      return { ...state, ...event.data.changes, updatedAt: event.data.changedAt };
  }
}
