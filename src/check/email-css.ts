// The digest template's own CSS against the caniemail data (through @jsx-email/doiuse-email): a
// property, selector or at-rule that Gmail, Outlook or Apple Mail do not support at all is a
// warning at its line in the template. Judged once per template, not per digest: MJML's own
// output is built for these clients, and the author's CSS is the same in every digest.
// Not reported, on purpose: partial support, anything inside an @media block (a client that ignores
// the query renders the base styles, so the block is an enhancement by construction), and
// properties whose absence only costs polish (rounded corners, shadows, no-wrap).
import { createHash } from 'node:crypto';
import { parse, type CssAtRuleAST, type CssDeclarationAST, type CssRuleAST } from '@adobe/css-tools';
import { finding, type Finding } from './finding.ts';

/** The clients most readers use, as caniemail names them. */
export const MAIN_CLIENTS = [
  'gmail.desktop-webmail', 'gmail.ios', 'gmail.android',
  'outlook.windows', 'outlook.macos', 'outlook.ios', 'outlook.android',
  'apple-mail.macos', 'apple-mail.ios',
] as const;

const CLIENT_NAMES: Record<string, string> = {
  'gmail.desktop-webmail': 'Gmail (web)', 'gmail.ios': 'Gmail (iOS)', 'gmail.android': 'Gmail (Android)',
  'outlook.windows': 'Outlook (Windows)', 'outlook.macos': 'Outlook (Mac)', 'outlook.ios': 'Outlook (iOS)', 'outlook.android': 'Outlook (Android)',
  'apple-mail.macos': 'Apple Mail (Mac)', 'apple-mail.ios': 'Apple Mail (iOS)',
};

/** Properties whose absence costs only polish: a client without them still shows everything. */
export const GRACEFUL = new Set([
  'border-radius', 'box-shadow', 'text-shadow', 'opacity', 'outline', 'white-space', 'word-break', 'word-wrap', 'overflow-wrap',
  'word-spacing', 'letter-spacing', 'text-decoration', 'text-decoration-color', 'text-decoration-line', 'text-decoration-style',
  'text-decoration-thickness', 'text-underline-offset', 'text-overflow', 'hyphens', 'transition', 'animation', 'cursor',
  'caret-color', 'user-select', 'color-scheme', 'supported-color-schemes',
]);

const UNSUPPORTED = /^`(.+)` is not supported by `([^`]+)`$/;

export interface TemplateCss {
  /** The CSS, with the template line its first line is on. */
  blocks: Array<{ css: string; line: number }>;
}

/** `<mj-style>` blocks and `style="…"` attributes of a template, with their lines. */
export function templateCss(source: string): TemplateCss {
  const blocks: TemplateCss['blocks'] = [];
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  for (const match of source.matchAll(/<mj-style\b[^>]*>([\s\S]*?)<\/mj-style>/gi)) {
    const start = match.index + match[0].indexOf('>') + 1;
    blocks.push({ css: match[1]!, line: lineAt(start) });
  }
  for (const match of source.matchAll(/\sstyle\s*=\s*(["'])([\s\S]*?)\1/gi)) {
    blocks.push({ css: `.inline{${match[2]!}}`, line: lineAt(match.index) });
  }
  return { blocks };
}

type DoIUseEmail = typeof import('@jsx-email/doiuse-email').doIUseEmail;

/** Loaded when a template is first judged: its data costs other commands' start-up ~0.2 s. */
let loading: Promise<DoIUseEmail> | undefined;
const loadDoIUseEmail = () => (loading ??= import('@jsx-email/doiuse-email').then((module) => module.doIUseEmail));

/** Each feature a single piece of CSS uses that some main client does not support, with those clients. */
function unsupportedIn(doIUseEmail: DoIUseEmail, css: string): Map<string, string[]> {
  const result = doIUseEmail(`<html><head><style>${css}</style></head></html>`, { emailClients: [...MAIN_CLIENTS] });
  const features = new Map<string, string[]>();
  for (const message of result.success ? [] : result.errors) {
    const [, feature, client] = UNSUPPORTED.exec(message) ?? [];
    if (!feature || !client || / (element|attribute)$/.test(feature)) continue;
    features.set(feature, [...(features.get(feature) ?? []), CLIENT_NAMES[client] ?? client]);
  }
  return features;
}

const cache = new Map<string, Finding[]>();

/** Warnings for the template's CSS; the same template text is judged once per process. */
export async function lintTemplateCss(source: string, file: string): Promise<Finding[]> {
  const key = createHash('sha256').update(file).update('\0').update(source).digest('hex');
  const cached = cache.get(key);
  if (cached) return cached;
  const doIUseEmail = await loadDoIUseEmail();
  const unsupported = (css: string) => unsupportedIn(doIUseEmail, css);
  const findings: Finding[] = [];
  const report = (feature: string, clients: string[], line: number, what?: string) =>
    findings.push(
      finding(
        'warning',
        'email/css-unsupported',
        file,
        line,
        `${what ? `${what}: ` : ''}${feature} is not supported by ${clients.join(', ')}, which ${clients.length === 1 ? 'ignores' : 'ignore'} it (caniemail.com); make sure the digest reads well without it`,
      ),
    );
  for (const block of templateCss(source).blocks) {
    // Handlebars expressions are not CSS: blanked out, keeping their lines.
    const css = block.css.replace(/\{\{[\s\S]*?\}\}/g, (expression) => expression.replace(/[^\n]/g, ' '));
    const sheet = parse(css, { silent: true }).stylesheet;
    const lineOf = (node: { position?: { start?: { line?: number } } }) => block.line + (node.position?.start?.line ?? 1) - 1;
    for (const node of sheet.rules) {
      if (node.type === 'rule') {
        const rule = node as CssRuleAST;
        const selector = rule.selectors.join(', ');
        if (selector !== '.inline') {
          for (const [feature, clients] of unsupported(`${selector}{}`)) report(feature, clients, lineOf(rule), `the selector "${selector}"`);
        }
        for (const declaration of rule.declarations) {
          if (declaration.type !== 'declaration') continue;
          const { property, value } = declaration as CssDeclarationAST;
          if (GRACEFUL.has(property.toLowerCase()) || property.startsWith('-') || property.startsWith('mso-')) continue;
          for (const [feature, clients] of unsupported(`.x{${property}:${value}}`)) {
            if (!GRACEFUL.has(feature.replace(/:.*$/, '').toLowerCase())) report(feature, clients, lineOf(declaration), `"${property}: ${value}"`);
          }
        }
      } else if (node.type !== 'media' && node.type !== 'comment' && node.type !== 'import') {
        // @font-face, @supports, @keyframes…: judged as written, without their contents.
        const atRule = node as CssAtRuleAST;
        const name = `@${atRule.type}`;
        for (const [feature, clients] of unsupported(`${name} ${('supports' in atRule ? atRule.supports : '') ?? ''}{}`)) report(feature, clients, lineOf(atRule));
      }
    }
  }
  cache.set(key, findings);
  return findings;
}
