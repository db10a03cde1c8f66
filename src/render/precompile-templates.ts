// Run by `npm run prepare` after tsc (node lib/render/precompile-templates.js): compiles the default
// digest template with MJML into lib/compiled-templates.json, keyed by a hash of its source, so a
// build with the default templates and no build cache never loads MJML (~0.6 s of a cold build).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileMjmlSource, DEFAULT_TEMPLATES_DIR, mjmlKey, SHIPPED_MJML_FILE } from './templates.ts';

const source = readFileSync(path.join(DEFAULT_TEMPLATES_DIR, 'email', 'digest.mjml.hbs'), 'utf8');
writeFileSync(SHIPPED_MJML_FILE, `${JSON.stringify({ [mjmlKey(source)]: await compileMjmlSource(source) })}\n`);
