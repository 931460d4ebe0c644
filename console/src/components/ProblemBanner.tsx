import type { Problem } from '../api.ts';

/** An API error as the user sees it: the problem's title and detail, and any field errors. */
export function ProblemBanner({ problem }: { problem: Problem | null }) {
  if (!problem) return null;
  return (
    <div className="problem" role="alert" data-testid="problem">
      <strong>{problem.title}</strong>
      {problem.status ? <span className="muted"> ({problem.status})</span> : null}
      {problem.detail ? <div>{problem.detail}</div> : null}
      {problem.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.path + e.message}>
              <code>{e.path || '(body)'}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
