/**
 * Notification templates: one file per template name (YAML or JSON) in templates/, with a block per
 * language. Each block has a subject, a text body, optionally an HTML body and an SMS text. `{{ JSONata }}`
 * parts are evaluated over the notification's data; in HTML every inserted value is escaped.
 *
 * `{{ #lines }}` repeats `lineText` (in text) or `lineHtml` (in HTML) once per item of the template's
 * `lines` expression (default `order.lines`); a line template sees the whole data plus `line` and `index`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { evaluateMapping, mappingSyntaxError, renderTemplate, templateExpressions } from '../flows/mapping.ts';

export interface TemplateLocale {
  subject: string;
  text: string;
  html?: string | undefined;
  sms?: string | undefined;
  lineText?: string | undefined;
  lineHtml?: string | undefined;
}

export interface TemplateFile {
  name: string;
  description?: string | undefined;
  /** JSONata selecting the items `{{ #lines }}` repeats. */
  lines?: string | undefined;
  /** Email connection this template is sent through unless a rule says otherwise. */
  connection?: string | undefined;
  locales: Record<string, TemplateLocale>;
}

export interface RenderedTemplate {
  name: string;
  language: string;
  subject: string;
  text: string;
  html?: string | undefined;
  sms: string;
  connection?: string | undefined;
}

export const FALLBACK_TEMPLATE = 'generic';
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
const LINES = /\{\{\s*#lines\s*\}\}/;
const META_KEYS = new Set(['name', 'description', 'lines', 'connection']);

export function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR): Map<string, TemplateFile> {
  const out = new Map<string, TemplateFile>();
  if (!fs.existsSync(dir)) throw new UserError('OF_NOTIFY_TEMPLATE_INVALID', `templates folder ${dir} does not exist; set notifications.templatesDir to the folder holding the template files`, { dir });
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    const full = path.join(dir, file);
    const raw: unknown = file.endsWith('.json') ? JSON.parse(fs.readFileSync(full, 'utf8')) : YAML.parse(fs.readFileSync(full, 'utf8'));
    const t = parseTemplate(file.replace(/\.(ya?ml|json)$/, ''), raw, full);
    out.set(t.name, t);
  }
  return out;
}

function parseTemplate(defaultName: string, raw: unknown, where: string): TemplateFile {
  const invalid = (what: string) => new UserError('OF_NOTIFY_TEMPLATE_INVALID', `template ${where}: ${what}`, { file: where });
  if (raw === null || typeof raw !== 'object') throw invalid('is not a mapping of languages (en:, es:, …)');
  const obj = raw as Record<string, unknown>;
  const locales: Record<string, TemplateLocale> = {};
  for (const [lang, block] of Object.entries(obj)) {
    if (META_KEYS.has(lang)) continue;
    if (!/^[a-z]{2}$/.test(lang)) throw invalid(`'${lang}' is not a two-letter language code; use en, es, …`);
    const b = block as Partial<TemplateLocale> | null;
    if (!b || typeof b.subject !== 'string' || typeof b.text !== 'string') throw invalid(`language '${lang}' needs 'subject' and 'text'`);
    for (const [field, tpl] of Object.entries(b)) {
      if (typeof tpl !== 'string') throw invalid(`${lang}.${field} must be text`);
      for (const part of templateExpressions(tpl)) {
        if (part.expr.startsWith('#')) continue;
        const err = mappingSyntaxError(part.expr);
        if (err) throw invalid(`${lang}.${field}: {{ ${part.expr} }} does not compile: ${err}`);
      }
    }
    locales[lang] = b as TemplateLocale;
  }
  if (Object.keys(locales).length === 0) throw invalid('has no language block; add at least en:');
  return {
    name: typeof obj.name === 'string' ? obj.name : defaultName,
    description: typeof obj.description === 'string' ? obj.description : undefined,
    lines: typeof obj.lines === 'string' ? obj.lines : undefined,
    connection: typeof obj.connection === 'string' ? obj.connection : undefined,
    locales,
  };
}

/** `es-ES`, `ES`, `es_es` → `es`; anything else → undefined. */
export function normaliseLanguage(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^([a-zA-Z]{2})(?:[-_].*)?$/.exec(v.trim());
  return m?.[1]?.toLowerCase();
}

export async function renderNamed(templates: Map<string, TemplateFile>, name: string, data: unknown, language: string | undefined, fallbackLanguage = 'en'): Promise<RenderedTemplate> {
  const tpl = templates.get(name) ?? templates.get(FALLBACK_TEMPLATE);
  if (!tpl) throw new UserError('OF_NOTIFY_TEMPLATE_MISSING', `no notification template '${name}' and no '${FALLBACK_TEMPLATE}' fallback; add templates/${name}.yaml`, { template: name });
  const lang = [language, fallbackLanguage, 'en'].find((l): l is string => l !== undefined && tpl.locales[l] !== undefined) ?? Object.keys(tpl.locales)[0] ?? 'en';
  const loc = tpl.locales[lang];
  if (!loc) throw new UserError('OF_NOTIFY_TEMPLATE_MISSING', `template '${tpl.name}' has no language block`, { template: name });
  const items = await lineItems(tpl, data);
  const text = await renderWithLines(loc.text, data, items, loc.lineText, renderTemplate);
  return {
    name: tpl.name,
    language: lang,
    subject: (await renderTemplate(loc.subject, data)).replace(/\s+/g, ' ').trim(),
    text,
    html: loc.html !== undefined ? await renderWithLines(loc.html, data, items, loc.lineHtml, renderHtml) : undefined,
    sms: loc.sms !== undefined ? (await renderTemplate(loc.sms, data)).trim() : text.trim(),
    connection: tpl.connection,
  };
}

async function lineItems(tpl: TemplateFile, data: unknown): Promise<unknown[]> {
  const v = await evaluateMapping(tpl.lines ?? 'order.lines', data);
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

type Renderer = (tpl: string, data: unknown) => Promise<string>;

/**
 * The template is split at `{{ #lines }}` and each piece rendered on its own, so that a value coming
 * from the data is never scanned for `{{ }}` again (no template injection through an order comment).
 */
async function renderWithLines(tpl: string, data: unknown, items: unknown[], lineTpl: string | undefined, render: Renderer): Promise<string> {
  const pieces = tpl.split(LINES);
  if (pieces.length === 1) return render(tpl, data);
  const base = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const lines: string[] = [];
  for (const [index, line] of items.entries()) lines.push(await render(lineTpl ?? '{{ line }}\n', { ...base, line, index }));
  const block = lines.join('');
  const rendered = await Promise.all(pieces.map((p) => render(p, data)));
  return rendered.join(block);
}

/** Like renderTemplate, but every inserted value is HTML-escaped. */
export async function renderHtml(tpl: string, data: unknown): Promise<string> {
  const parts = templateExpressions(tpl);
  let out = '';
  let last = 0;
  for (const p of parts) {
    const end = tpl.indexOf('}}', p.index) + 2;
    out += tpl.slice(last, p.index);
    const v = p.expr === '' ? undefined : await evaluateMapping(p.expr, data);
    out += escapeHtml(v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    last = end;
  }
  return out + tpl.slice(last);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
