import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A real git repository with history, a binary file and a file to rename, owned by the test. */
export function historyRepo(): { dir: string; git(...args: string[]): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-git-'));
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=Tester', '-c', 'user.email=tester@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '--initial-branch=main');
  git('config', 'user.name', 'Tester');
  git('config', 'user.email', 'tester@example.invalid');
  fs.writeFileSync(path.join(dir, 'README.md'), '# project\n');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'app.js'), 'console.log("v1");\n');
  fs.writeFileSync(path.join(dir, 'src', 'old-name.js'), 'module.exports = 42;\n'.repeat(20));
  fs.writeFileSync(path.join(dir, 'logo.bin'), Buffer.from([0, 1, 2, 3, 255, 254]));
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
  fs.appendFileSync(path.join(dir, 'README.md'), 'more\n');
  git('commit', '-qam', 'second');
  return { dir, git, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
