// Declarative command-line options: one spec per command gives both the parser and its --help.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { suggestion } from '../model/suggestion.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  /** Name of the value in help, e.g. `<dir>`. */
  value?: string;
  default?: string;
  /** May be given more than once; the values come as a list. */
  multiple?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments, in order, e.g. `<episode>`. */
  positionals?: Array<{ name: string; description: string; required: boolean; /** Takes every argument from here on. */ variadic?: boolean }>;
  options: Record<string, OptionSpec>;
  examples?: string[];
  /** Extra paragraphs after the options (exit codes, environment variables). */
  notes?: string[];
}


export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** A negative number is a value, not an option: `--retries -3` gets a message about -3. */
const NUMBER = /^-\d+(\.\d+)?$/;

export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.short ? { short: option.short } : {}), ...(option.multiple ? { multiple: true } : {}) };
  }
  // Not strict: Node's own messages ("argument is ambiguous", "Unknown option … place it at the
  // end after '--'") explain its parser, not the command. Each token is checked here instead.
  const parsed = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of parsed.tokens) {
    if (token.kind === 'option') checkOption(spec, options, token);
  }
  const values = { ...parsed.values } as ParsedArgs['values'];
  if (values.help) return { values, positionals: parsed.positionals, help: true };
  for (const [name, option] of Object.entries(spec.options)) {
    if (values[name] === undefined && option.default !== undefined) values[name] = option.default;
    const given = values[name];
    if (option.type === 'string' && (given === '' || (Array.isArray(given) && given.includes('')))) throw new UsageError(`--${name} needs a value`);
  }
  const allowed = spec.positionals ?? [];
  const required = allowed.filter((p) => p.required);
  if (parsed.positionals.length < required.length) {
    throw new UsageError(`missing ${required[parsed.positionals.length]!.name}`);
  }
  if (parsed.positionals.length > allowed.length && !allowed.at(-1)?.variadic) {
    throw new UsageError(`unexpected argument "${parsed.positionals[allowed.length]}"`);
  }
  return { values, positionals: parsed.positionals, help: false };
}

interface OptionToken {
  name: string;
  rawName: string;
  value?: string;
  inlineValue?: boolean;
}

function checkOption(spec: CommandSpec, known: Record<string, { type: 'string' | 'boolean'; short?: string }>, token: OptionToken): void {
  const option = known[token.name];
  if (!option) {
    const names = Object.entries(known).flatMap(([name, { short }]) => [`--${name}`, ...(short ? [`-${short}`] : [])]);
    throw new UsageError(`unknown option ${token.rawName}${suggestion(token.rawName, names)}`);
  }
  if (option.type === 'boolean') {
    if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (got "${token.value}")`);
    return;
  }
  const placeholder = spec.options[token.name]?.value ?? '<value>';
  if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value: ${token.rawName} ${placeholder}`);
  if (!token.inlineValue && token.value.startsWith('-') && !NUMBER.test(token.value)) {
    throw new UsageError(
      `${token.rawName} needs a value, but "${token.value}" looks like an option; write --${token.name}=${token.value} if it is the value`,
    );
  }
}

export function helpText(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => `${p.required ? ` ${p.name}` : ` [${p.name}]`}${p.variadic ? '…' : ''}`).join('');
  const rows: Array<[string, string]> = [
    ...(spec.positionals ?? []).map((p): [string, string] => [p.name, p.description]),
    ...Object.entries(spec.options).map(([name, option]): [string, string] => [
      `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${option.value ?? '<value>'}` : ''}`,
      `${option.description}${option.multiple ? ' (may be repeated)' : ''}${option.default !== undefined ? ` (default: ${option.default})` : ''}`,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = [
    `Usage: castwright ${spec.name}${positionals} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  ];
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  for (const note of spec.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}
