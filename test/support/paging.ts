import { expect } from 'chai';
import type { client, Res } from './http.ts';

type Api = ReturnType<typeof client>;

/**
 * Follows `nextCursor` from the first page to the last with `?limit=`, asserting each page holds at
 * most `limit` rows, every page but the last is full, and the last one ends with `nextCursor: null`.
 * Returns every row in the order served.
 */
export async function walk<T = any>(api: Api, path: string, limit: number, maxPages = 100): Promise<T[]> {
  const rows: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  for (let pages = 0; pages < maxPages; pages++) {
    const res: Res = await api.get(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.have.property('nextCursor');
    const data = res.body.data as T[];
    expect(data.length, 'page size').to.be.at.most(limit);
    rows.push(...data);
    cursor = res.body.nextCursor;
    if (cursor === null) return rows;
    expect(data.length, 'a page with a next cursor is full').to.equal(limit);
  }
  throw new Error(`${path}: still a nextCursor after ${maxPages} pages`);
}
