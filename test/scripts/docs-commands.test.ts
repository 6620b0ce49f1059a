/**
 * Runs every shell command that README.md and docs/**\/*.md show, so a documented command that stops
 * working fails here. The convention (also in COMMON rules and docs/usage.md):
 * - fenced blocks with info string `sh` are executed, one non-comment line (or `\`-continued lines) at
 *   a time, with bash, in a scratch directory that links every top-level entry of the repository (so
 *   relative paths read the same, and what a command writes, such as `bench-out/` or `shard-1/`, stays
 *   out of the checkout); the blocks of one page share that directory, in page order;
 * - `npm run <script> -- args` runs the built script directly (`node dist/scripts/<script>.js args`,
 *   what the npm script runs after its build step; `npm test` builds once before this test);
 * - every `bench` command gets small settings appended (later options win):
 *   `--samples 500 --steps 2 --train-seeds 1 --timing-iterations 1`, `--backend cpu` when it names no
 *   backend, a tiny warm-up and reference when it names a VAE suite, and `--score-at 0,1,2` when it
 *   scores along training (within the two steps);
 * - a trailing `# exit N` comment sets the expected exit status (default 0);
 * - blocks with info string `sh no-run` (a network install, a scheduler, a peer needing PyTorch) are not
 *   run, but every `npm run` script and every repository path they name must exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repository = resolve('.');
const packageScripts: Record<string, string> = JSON.parse(readFileSync('package.json', 'utf8')).scripts;

/** One command shown in a page. */
interface DocumentedCommand {
  readonly page: string;
  readonly line: number;
  readonly command: string;
  readonly run: boolean;
  readonly expectedExit: number;
  /**
   * The console table a `text` block shows as this command's output: the next fenced block after a
   * one-command `sh` block, when it is a `text` block that starts with the table's `suite` header.
   */
  readonly shownTable?: string;
}

function markdownPages(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return markdownPages(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The commands of the `sh` and `sh no-run` blocks of one page, in order. */
export function documentedCommands(page: string, text: string): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  // The fenced block the line is in: a shell block that runs, one that does not, another kind, or none.
  let block: 'run' | 'no-run' | 'other' | null = null;
  let blockText: string[] = [];
  let pending = '';
  let pendingLine = 0;
  // The run block just closed (its commands), waiting to see whether the next fenced block is its table.
  let awaitingTable: DocumentedCommand[] | null = null;
  let blockCommands: DocumentedCommand[] = [];
  text.split('\n').forEach((raw, index) => {
    const fence = /^\s*```\s*(.*)$/.exec(raw);
    if (fence) {
      if (block === null) {
        block = /^sh\s*$/.test(fence[1]) ? 'run' : /^sh\s+no-run\s*$/.test(fence[1]) ? 'no-run' : 'other';
        blockText = [];
        blockCommands = [];
        // Only a text block can be the awaited output; any other block in between ends the wait.
        if (fence[1].trim() !== 'text') awaitingTable = null;
        return;
      }
      if (block === 'other' && awaitingTable) {
        const shown = blockText.join('\n');
        if (awaitingTable.length === 1 && /^suite\s/.test(shown)) {
          const [only] = awaitingTable;
          commands[commands.indexOf(only)] = { ...only, shownTable: shown };
        }
        awaitingTable = null;
      }
      if (block === 'run') awaitingTable = blockCommands;
      block = null;
      return;
    }
    if (block === null) return;
    if (block === 'other') {
      blockText.push(raw);
      return;
    }
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) pendingLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      return;
    }
    const whole = `${pending}${line}`;
    pending = '';
    const exit = /\s#\s*exit\s+(\d+)\s*$/.exec(whole);
    const documented = { page, line: pendingLine, command: exit ? whole.slice(0, exit.index).trim() : whole, run: block === 'run', expectedExit: exit ? Number(exit[1]) : 0 };
    commands.push(documented);
    blockCommands.push(documented);
  });
  return commands;
}

/** The rows of a console table (up to its first blank line), each as its columns without the ns/est column. */
function tableWithoutTiming(table: string): string[][] {
  // Columns are separated by two or more spaces; the header names the timing column.
  const rows = table.split('\n\n')[0].trim().split('\n').map((row) => row.trim().split(/\s{2,}/));
  const timing = rows[0].indexOf('ns/est');
  return rows.map((columns) => columns.filter((_, column) => column !== timing));
}

/** Settings appended to a bench invocation so that every documented run finishes in seconds. */
function smallSettings(segment: string): string {
  const settings = ['--samples 500', '--steps 2', '--train-seeds 1', '--timing-iterations 1'];
  if (!/--backend\b/.test(segment)) settings.push('--backend cpu');
  if (/--score-at\b/.test(segment)) settings.push('--score-at 0,1,2');
  if (/mnist-(binary|categorical)-vae/.test(segment)) settings.push('--set warmupSteps=2', '--set referenceSamples=4', '--set evalExamples=20', '--set scoreExamples=1');
  if (/mnist-stochastic-mlp/.test(segment)) settings.push('--set mnist-stochastic-mlp.referenceSamples=4', '--set mnist-stochastic-mlp.scoreExamples=1');
  return settings.join(' ');
}

/** The shell line the test runs for a documented command. */
export function runnableCommand(command: string): string {
  return command.split(/\s+&&\s+/).map((segment) => {
    const npmRun = /^npm run ([\w:-]+)(?:\s+--)?(.*)$/.exec(segment.trim());
    if (!npmRun) return segment;
    // A script is `node bin/estibench.js <subcommand>` or `[node bin/ensure-built.js && ]node dist/scripts/<name>.js`.
    const script = packageScripts[npmRun[1]]?.replace(/^node bin\/ensure-built\.js && /, '');
    const direct = script && /^node (bin\/estibench\.js \w+|dist\/scripts\/[\w-]+\.js)$/.exec(script);
    if (!direct) return segment;
    const invocation = `node ${direct[1]}${npmRun[2]}`;
    const isBench = direct[1] === 'dist/scripts/bench.js' || direct[1] === 'bin/estibench.js bench';
    return isBench ? `${invocation} ${smallSettings(invocation)}` : invocation;
  }).join(' && ');
}

/** Programs a no-run block may start with besides repository scripts. */
const externalPrograms = ['npm', 'npx', 'node', 'bash', 'sh', 'python3', '/usr/bin/python3', 'pip', 'kubectl', 'sbatch', 'srun', 'docker'];

/** What is wrong with a command that is shown but not run: a missing npm script or repository path. */
export function noRunProblem(command: string): string | null {
  for (const match of command.matchAll(/npm run ([\w:-]+)/g)) {
    if (!packageScripts[match[1]]) return `npm run ${match[1]}: no such script in package.json`;
  }
  for (const segment of command.split(/\s*(?:&&|\|\||;|\|)\s*/)) {
    // Environment assignments (`NAME=value`) before the program are not the program.
    const program = segment.trim().split(/\s+/).find((token) => !/^[A-Z_][A-Z0-9_]*=/.test(token));
    if (program && !externalPrograms.includes(program) && !existsSync(program)) return `${program}: neither a known program nor a repository path`;
  }
  for (const token of command.split(/\s+/)) {
    if (/^(scripts|examples|test|\.ci|\.github|suites|estimators)\/[\w./-]+$/.test(token) && !existsSync(token)) return `${token}: no such file`;
  }
  return null;
}

const pages = ['README.md', ...markdownPages('docs')];
const scratch: string[] = [];
afterAll(() => scratch.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

/** A scratch directory that links every top-level entry of the repository. */
function scratchDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'estibench-docs-'));
  scratch.push(directory);
  for (const entry of readdirSync(repository)) {
    if (['.git', 'bench-out'].includes(entry)) continue;
    symlinkSync(join(repository, entry), join(directory, entry));
  }
  return directory;
}

describe('documented commands', () => {
  it('the pages show commands at all (README.md and docs/)', () => {
    const all = pages.flatMap((page) => documentedCommands(page, readFileSync(page, 'utf8')));
    expect(all.filter((command) => command.run).length).toBeGreaterThan(5);
  });

  it('parses blocks, continuations and expected exit statuses', () => {
    const text = ['```sh', '# a comment', 'npm run bench -- --suite a \\', '  --estimator b   # exit 2', '```', '```text', 'not a command', '```', '```sh no-run', 'npm test', '```'].join('\n');
    expect(documentedCommands('x.md', text)).toEqual([
      { page: 'x.md', line: 3, command: 'npm run bench -- --suite a --estimator b', run: true, expectedExit: 2 },
      { page: 'x.md', line: 10, command: 'npm test', run: false, expectedExit: 0 },
    ]);
    const withTable = ['```sh', 'npm run bench -- --suite a', '```', 'prints', '', '```text', 'suite  estimator', '-----  ---------', 'a      b', '```'].join('\n');
    expect(documentedCommands('y.md', withTable)[0].shownTable).toBe('suite  estimator\n-----  ---------\na      b');
    const withCodeBetween = ['```sh', 'npm run bench', '```', '```js', 'x', '```', '```text', 'suite  estimator', '```'].join('\n');
    expect(documentedCommands('z.md', withCodeBetween)[0].shownTable).toBeUndefined();
    expect(runnableCommand('npm run report -- --in x.json')).toBe('node bin/estibench.js report --in x.json');
    expect(runnableCommand('npm run bench -- --backend gpu')).toBe('node bin/estibench.js bench --backend gpu --samples 500 --steps 2 --train-seeds 1 --timing-iterations 1');
    expect(runnableCommand('npm run peer:network -- --suite x')).toBe('node dist/scripts/peer-network.js --suite x');
    expect(noRunProblem('npm run no-such-script')).toMatch(/no such script/);
    expect(noRunProblem('bash scripts/no-such-file.sh')).toMatch(/no such file/);
    expect(noRunProblem('bash scripts/install-system-deps.sh && npm ci && npm run bench')).toBeNull();
    expect(noRunProblem('ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.30.0')).toBeNull();
  });

  it('docs/usage.md names every option that bench --help and report --help list', () => {
    const usage = readFileSync('docs/usage.md', 'utf8');
    for (const script of ['bench', 'report']) {
      const help = spawnSync(process.execPath, [`dist/scripts/${script}.js`, '--help'], { encoding: 'utf8' }).stdout;
      const options = [...help.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((match) => match[1]).filter((option) => option !== 'help');
      expect(options.length, script).toBeGreaterThan(3);
      for (const option of options) expect(usage, `--${option} of ${script}`).toContain(`--${option}`);
    }
  });

  it('every relative link in the pages points at a file of the repository', () => {
    // Pages other work in flight writes (issues 17 and 18); drop each from this list when it lands.
    const broken: string[] = [];
    for (const page of pages) {
      for (const match of readFileSync(page, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1].split('#')[0];
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const path = relative(repository, resolve(dirname(page), target));
        if (!existsSync(path)) broken.push(`${page}: ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  // A bench command shown on several pages (a suite page and its measurement page) runs once.
  const benchRunOn = new Map<string, string>();
  for (const page of pages) {
    const commands = documentedCommands(page, readFileSync(page, 'utf8'));
    if (commands.length === 0) continue;
    describe(relative(repository, resolve(page)), () => {
      let directory: string | undefined;
      for (const documented of commands) {
        const label = `line ${documented.line}: ${documented.command.slice(0, 100)}`;
        if (!documented.run) {
          it(`names what exists (not run): ${label}`, () => expect(noRunProblem(documented.command)).toBeNull());
          continue;
        }
        if (documented.shownTable) {
          it(`prints the output the page shows (all columns but ns/est): ${label}`, () => {
            directory ??= scratchDirectory();
            // As documented, at full settings: the page claims this output for exactly this command.
            const shell = documented.command.replace(/^npm run bench --/, 'node dist/scripts/bench.js');
            const run = spawnSync('bash', ['-c', shell], { cwd: directory, encoding: 'utf8', timeout: 170_000 });
            expect(run.status, `${shell}\n${run.stderr.slice(-2000)}`).toBe(documented.expectedExit);
            expect(tableWithoutTiming(run.stdout)).toEqual(tableWithoutTiming(documented.shownTable!));
          }, 180_000);
          continue;
        }
        const shell = runnableCommand(documented.command);
        const isBench = /^node dist\/scripts\/bench\.js /.test(shell);
        const earlier = isBench ? benchRunOn.get(shell) : undefined;
        if (earlier) {
          it.skip(`runs (already run for ${earlier}): ${label}`, () => {});
          continue;
        }
        if (isBench) benchRunOn.set(shell, `${page}:${documented.line}`);
        it(`runs: ${label}`, () => {
          directory ??= scratchDirectory();
          const run = spawnSync('bash', ['-c', shell], { cwd: directory, encoding: 'utf8', timeout: 170_000 });
          expect(run.status, `${shell}\n${run.stderr.slice(-2000)}`).toBe(documented.expectedExit);
        }, 180_000);
      }
    });
  }
});
