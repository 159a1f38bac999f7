import { Command } from 'commander';
import { register, type CommandFunction } from '../command';
import { registerCommands, type completionCommand } from '../commands';
import { CliError } from '../errors';
import { ExitCode } from '../exitCodes';

interface Node {
  words: string[];
  options: string[];
  children: Map<string, Node>;
}

/** The command tree, read from the same table the CLI runs, so completion never goes stale. */
function tree(): Node {
  const program = new Command('corral').option('--json').option('-v, --verbose').option('-V, --version');
  registerCommands(program, (parent, spec) => register(parent, spec));
  const walk = (command: Command): Node => {
    const children = new Map(command.commands.map((child) => [child.name(), walk(child)]));
    return {
      words: [...children.keys()],
      options: [...command.options.map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean),
      children,
    };
  };
  return walk(program);
}

/** `corral completion bash|zsh|fish`: a script to source; it completes commands, subcommands and flags. */
export const completion: CommandFunction<typeof completionCommand> = async (ctx, { shell }) => {
  const root = tree();
  const scripts: Record<string, () => string> = { bash: () => bash(root), zsh: () => `autoload -U +X bashcompinit && bashcompinit\n${bash(root)}`, fish: () => fish(root) };
  const make = scripts[shell];
  if (!make) throw new CliError(`no completion for ${shell}`, 'use bash, zsh or fish: source <(corral completion bash)', ExitCode.Usage);
  ctx.stdout.write(make());
  return ExitCode.Ok;
};

function bash(root: Node): string {
  const cases: string[] = [];
  const visit = (node: Node, path: string[]): void => {
    cases.push(`    "${path.join(' ')}") words="${[...node.words, ...node.options].join(' ')}" ;;`);
    for (const [name, child] of node.children) visit(child, [...path, name]);
  };
  visit(root, []);
  return `# corral completion for bash: source <(corral completion bash)
_corral() {
  local cur path="" words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) [ -z "$path" ] && path="\${COMP_WORDS[i]}" || path="$path \${COMP_WORDS[i]}" ;; esac
  done
  while :; do
    case "$path" in
${cases.join('\n')}
    *) if [ "$path" = "\${path% *}" ]; then words=""; else path="\${path% *}"; continue; fi ;;
    esac
    break
  done
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _corral corral
`;
}

function fish(root: Node): string {
  const lines = ['# corral completion for fish: corral completion fish | source', 'complete -c corral -f'];
  for (const name of root.words) lines.push(`complete -c corral -n __fish_use_subcommand -a ${name}`);
  for (const [name, child] of root.children) {
    for (const sub of child.words) lines.push(`complete -c corral -n '__fish_seen_subcommand_from ${name}' -a ${sub}`);
    for (const option of child.options) lines.push(`complete -c corral -n '__fish_seen_subcommand_from ${name}' -l ${option.replace(/^--/, '')}`);
    for (const [, grandchild] of child.children) {
      for (const option of grandchild.options) lines.push(`complete -c corral -n '__fish_seen_subcommand_from ${name}' -l ${option.replace(/^--/, '')}`);
    }
  }
  return lines.join('\n') + '\n';
}
