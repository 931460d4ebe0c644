import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { replaysLog, SEMI_SPACE_FLAG, youngGenerationArgs } from '../../bin/young-generation.js';

const BIN = fileURLToPath(new URL('../../bin/oms.js', import.meta.url));

/**
 * Runs `oms <args>` with a probe loaded into every Node process it starts, each printing its
 * execArgv when it ends: what the processes were started with, and how many there were.
 */
async function execArgvsOf(args: string[], nodeOptions = ''): Promise<{ code: number | null; execArgvs: string[][] }> {
  const dir = mkdtempSync(join(tmpdir(), 'oms-young-gen-'));
  try {
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `process.on('exit', () => process.stderr.write('EXECARGV ' + JSON.stringify(process.execArgv) + '\\n'));\n`,
    );
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: `--import ${probe} ${nodeOptions}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    const execArgvs = err
      .split('\n')
      .filter((l) => l.startsWith('EXECARGV '))
      .map((l) => JSON.parse(l.slice('EXECARGV '.length)) as string[]);
    return { code, execArgvs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('oms: a larger young generation for rebuild and verify', () => {
  it('runs `projections rebuild` and `projections verify` in a child Node with the semi-space flag', async () => {
    for (const command of ['rebuild', 'verify']) {
      const { code, execArgvs } = await execArgvsOf(['projections', command, '--help']);
      expect(code, command).to.equal(0);
      expect(execArgvs, command).to.have.length(2);
      expect(
        execArgvs.some((a) => a.includes(SEMI_SPACE_FLAG)),
        command,
      ).to.equal(true);
    }
  });

  it('starts no second process for other commands, nor when NODE_OPTIONS sets the size already', async () => {
    expect((await execArgvsOf(['projections', 'status', '--help'])).execArgvs).to.have.length(1);
    const given = await execArgvsOf(['projections', 'rebuild', '--help'], '--max-semi-space-size=16');
    expect(given.code).to.equal(0);
    expect(given.execArgvs).to.have.length(1);
  });

  it('passes the child’s exit code through', async () => {
    const { code, execArgvs } = await execArgvsOf(['projections', 'rebuild', '--no-such-option']);
    expect(execArgvs).to.have.length(2);
    expect(code).to.equal(1);
  });

  it('decides from the command line alone', () => {
    expect(replaysLog(['projections', 'rebuild', 'orders'])).to.equal(true);
    expect(replaysLog(['projections', 'verify'])).to.equal(true);
    expect(replaysLog(['projections', 'parked'])).to.equal(false);
    expect(replaysLog(['start'])).to.equal(false);
    expect(youngGenerationArgs(['--enable-source-maps'], undefined)).to.deep.equal([
      '--enable-source-maps',
      SEMI_SPACE_FLAG,
    ]);
    expect(youngGenerationArgs([SEMI_SPACE_FLAG], undefined)).to.equal(null);
    expect(youngGenerationArgs([], '--max-semi-space-size=64')).to.equal(null);
  });
});
