import type { Command } from 'commander';
import type { CliContext } from './context';

/**
 * The CLI's command contract. A command is declared once in the table (`cli/commands.ts`) as a
 * `CommandSpec` — its name with its arguments, its help, its flags — and implemented as a
 * `CommandFunction`: `(ctx, options) → exit status`. commander is still the parser; the spec gives
 * both its registration (`register`) and the type of the options object (`Options<typeof spec>`),
 * so a flag added to the table is a typed field in the command and nowhere else.
 */

/** A flag or an option with a value: commander's flags string, its help, and the value's type. */
export interface OptionSpec<T> {
  readonly flags: string;
  readonly description: string;
  /** Shown in the help as commander shows defaults, and used when the option is not given. */
  readonly defaultValue?: string;
  /** Turns the typed text into the value while commander parses; throws a `CliError` on bad input. */
  readonly parse?: (text: string) => T;
  /** Never set: carries `T` for `Options<…>`. */
  readonly valueType?: T;
}

/** A command of the table. `name` is commander's: the word and its arguments (`show <id>`, `port <id> [port]`). */
export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options?: Readonly<Record<string, OptionSpec<unknown>>>;
  /** The "Examples:" section of its --help. */
  readonly examples?: readonly string[];
}

/** Declares a command; `const` keeps the name's literal type, from which the arguments' types come. */
export function command<const S extends CommandSpec>(spec: S): S {
  return spec;
}

/** `--stat`: true when given, else undefined. */
export function flag(flags: string, description: string): OptionSpec<true | undefined> {
  return { flags, description };
}

/** `--repo <dir>`: the text given, else the default (or undefined); `parse` checks and narrows it. */
export function option(flags: string, description: string): OptionSpec<string | undefined>;
export function option<T extends string>(flags: string, description: string, settings: { default: NoInfer<T>; parse?: (text: string) => T }): OptionSpec<T>;
export function option<T>(flags: string, description: string, settings: { parse: (text: string) => T }): OptionSpec<T | undefined>;
export function option<T>(flags: string, description: string, settings?: { default?: string; parse?: (text: string) => T }): OptionSpec<T | string | undefined> {
  return {
    flags,
    description,
    ...(settings?.default === undefined ? {} : { defaultValue: settings.default }),
    ...(settings?.parse === undefined ? {} : { parse: settings.parse }),
  };
}

/** A parser accepting only `values` (after `normalize`); anything else is `invalid(text)`, thrown. */
export function oneOf<const T extends string>(values: readonly T[], invalid: (text: string) => Error, normalize: (text: string) => string = (t) => t): (text: string) => T {
  return (text) => {
    const value = normalize(text);
    if (!(values as readonly string[]).includes(value)) throw invalid(text);
    return value as T;
  };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The value of one commander argument word: `<id>`, `[port]`, `<dirs...>`, `[dirs...]`. */
type ArgumentOf<Word extends string> = Word extends `<${infer Name}...>` | `[${infer Name}...]`
  ? { [K in Name]: string[] }
  : Word extends `<${infer Name}>`
    ? { [K in Name]: string }
    : Word extends `[${infer Name}]`
      ? { [K in Name]: string | undefined }
      : unknown;

/** The arguments of a command name (`grant <user> <dirs...>` → `{ user: string; dirs: string[] }`). */
export type ArgumentsOf<Name extends string> = Name extends `${infer Word} ${infer Rest}` ? ArgumentOf<Word> & ArgumentsOf<Rest> : ArgumentOf<Name>;

type OptionValues<O> = { [K in keyof O]: O[K] extends OptionSpec<infer T> ? T : never };

/** The options object a command gets: its arguments by name and its flags, typed from its spec. */
export type Options<S extends CommandSpec> = Simplify<ArgumentsOf<S['name']> & (S['options'] extends Record<string, OptionSpec<unknown>> ? OptionValues<S['options']> : unknown)>;

/** A command: reads `options`, does its work through `ctx`, returns the process's exit status. */
export type CommandFunction<S extends CommandSpec> = (ctx: CliContext, options: Options<S>) => Promise<number>;

/** Registers a spec with commander and attaches the runner of its lazily loaded implementation. */
export type Bind = <S extends CommandSpec>(parent: Command, spec: S, load: () => Promise<CommandFunction<S>>) => Command;

/** The "Examples:" section of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** Adds `spec` under `parent`: its arguments, help, examples and options, in the spec's order. */
export function register(parent: Command, spec: CommandSpec): Command {
  const registered = parent.command(spec.name).description(spec.description);
  for (const [key, declared] of Object.entries(spec.options ?? {})) {
    const made = registered.createOption(declared.flags, declared.description);
    // The key is the field the command reads: it must be the one commander fills.
    if (made.attributeName() !== key) throw new Error(`${spec.name}: option ${declared.flags} is read as ${made.attributeName()}, declared as ${key}`);
    if (registered.registeredArguments.some((argument) => argument.name() === key)) throw new Error(`${spec.name}: ${key} is both an argument and an option`);
    if (declared.defaultValue !== undefined) made.default(declared.defaultValue);
    if (declared.parse !== undefined) made.argParser(declared.parse);
    registered.addOption(made);
  }
  if (spec.examples !== undefined && spec.examples.length > 0) registered.addHelpText('after', examples(...spec.examples));
  return registered;
}

/**
 * The options object of a parsed command: commander calls an action with one value per declared
 * argument (a list for a variadic one), then the options, then the command itself.
 */
export function optionsFrom<S extends CommandSpec>(registered: Command, args: readonly unknown[]): Options<S> {
  const values: Record<string, unknown> = { ...registered.opts() };
  registered.registeredArguments.forEach((argument, i) => (values[argument.name()] = args[i]));
  return values as Options<S>;
}
