/**
 * Keyset paging: the API hands out an opaque `nextCursor`; going back pops the cursors we came
 * through. No page numbers, no counts: fast on any table size.
 */
export function Pager(props: {
  trail: (string | null)[];
  next: string | null;
  onMove: (trail: (string | null)[]) => void;
}) {
  const { trail, next, onMove } = props;
  return (
    <div className="pager">
      <button type="button" disabled={trail.length <= 1} onClick={() => onMove(trail.slice(0, -1))}>
        ← Newer
      </button>
      <span className="muted">page {trail.length}</span>
      <button type="button" disabled={!next} onClick={() => onMove([...trail, next])}>
        Older →
      </button>
    </div>
  );
}
