/**
 * Rendering as the Webservice prints (store-platforms.md §1.4, §1.6): XML with CDATA values, xlinks on
 * foreign keys and `<language>` nodes; JSON with `id` as a number and every other value a string, the plural
 * array whenever `display` is given, and the 1.7 empty-list `[]` quirk.
 */
import type { Display } from './query.ts';
import { jsonLang, objectJsonText, pickAssoc } from './json-object.ts';
import { allAssociations, fieldNames, type AssociationDef, type ResourceDef } from './schema.ts';
import type { Assoc, Row, Value } from './state.ts';

export interface RenderContext {
  apiBase: string;
  languages: string[];
  psVersion: '8' | '1.7';
  associations(def: ResourceDef, row: Row): Record<string, Assoc>;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop xmlns:xlink="http://www.w3.org/1999/xlink">\n';
const XML_TAIL = '</prestashop>\n';

const cdata = (v: string): string => `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
const attr = (v: string): string => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

export function listJson(def: ResourceDef, rows: Row[], display: Display | undefined, ctx: RenderContext): string {
  if (!rows.length && ctx.psVersion === '1.7') return '[]';
  const items = display ? rows.map((r) => objectJsonText(def, r, display, ctx)) : rows.map((r) => `{"id":${r.id}}`);
  return `{${JSON.stringify(def.name)}:[${items.join(',')}]}`;
}

export function singleJson(def: ResourceDef, row: Row, display: Display | undefined, ctx: RenderContext): string {
  if (display) return `{${JSON.stringify(def.name)}:[${objectJsonText(def, row, display, ctx)}]}`;
  return `{${JSON.stringify(def.singular)}:${objectJsonText(def, row, undefined, ctx)}}`;
}

function xmlField(def: ResourceDef, name: string, v: Value, ctx: RenderContext, indent: string): string {
  const fd = def.fields[name];
  if (fd?.lang) {
    const map = typeof v === 'string' ? { [ctx.languages[0] ?? '1']: v } : v;
    const langs = ctx.languages.map((l) => `<language id="${l}" xlink:href="${ctx.apiBase}languages/${l}">${cdata(map[l] ?? '')}</language>`).join('');
    return `${indent}<${name}>${langs}</${name}>\n`;
  }
  const s = typeof v === 'string' ? v : '';
  const link = fd?.xlink && s !== '' && s !== '0' ? ` xlink:href="${ctx.apiBase}${fd.xlink}/${attr(s)}"` : '';
  return `${indent}<${name}${link}>${cdata(s)}</${name}>\n`;
}

function xmlAssoc(name: string, ad: AssociationDef, entries: Assoc, ctx: RenderContext): string {
  const attrs = ` nodeType="${ad.nodeType}"${ad.virtualEntity ? ' virtualEntity="true"' : ''} api="${name}"`;
  let s = `<${name}${attrs}>\n`;
  for (const e of entries) {
    const link = ad.resource && e.id ? ` xlink:href="${ctx.apiBase}${ad.resource}/${attr(e.id)}"` : '';
    s += `\t<${ad.nodeType}${link}>\n`;
    for (const [k, v] of Object.entries(e)) s += `\t<${k}>${cdata(v)}</${k}>\n`;
    s += `\t</${ad.nodeType}>\n`;
  }
  return `${s}</${name}>\n`;
}

export function objectXml(def: ResourceDef, row: Row, display: Display | undefined, ctx: RenderContext): string {
  const fields = display && !display.full ? display.fields : fieldNames(def);
  let s = `<${def.singular}>\n`;
  for (const f of fields) s += f === 'id' ? `\t<id>${cdata(String(row.id))}</id>\n` : xmlField(def, f, row.f[f] ?? '', ctx, '\t');
  const wanted = display ? display.assoc : allAssociations(def);
  if (wanted.size && def.associations) {
    const all = ctx.associations(def, row);
    s += '<associations>\n';
    for (const [name, sub] of wanted) {
      const ad = def.associations[name];
      if (ad) s += xmlAssoc(name, ad, pickAssoc(all[name] ?? [], sub), ctx);
    }
    s += '</associations>\n';
  }
  return `${s}</${def.singular}>\n`;
}

export function singleXml(def: ResourceDef, row: Row, display: Display | undefined, ctx: RenderContext): string {
  return XML_HEAD + objectXml(def, row, display, ctx) + XML_TAIL;
}

export function listXml(def: ResourceDef, rows: Row[], display: Display | undefined, ctx: RenderContext): string {
  let s = `<${def.name}>\n`;
  for (const r of rows) {
    s += display ? objectXml(def, r, display, ctx) : `<${def.singular} id="${r.id}" xlink:href="${ctx.apiBase}${def.name}/${r.id}"/>\n`;
  }
  return `${XML_HEAD}${s}</${def.name}>\n${XML_TAIL}`;
}

/** `?schema=blank|synopsis`: the empty object to fill before a POST; synopsis adds the field constraints. */
export function schemaXml(def: ResourceDef, kind: 'blank' | 'synopsis', ctx: RenderContext): string {
  let s = `<${def.singular}>\n\t<id></id>\n`;
  for (const [name, fd] of Object.entries(def.fields)) {
    const a = kind === 'synopsis'
      ? `${fd.required ? ' required="true"' : ''}${fd.maxSize ? ` maxSize="${fd.maxSize}"` : ''}${fd.format ? ` format="${fd.format}"` : ''}${fd.readOnly ? ' read_only="true"' : ''}`
      : '';
    const inner = fd.lang ? ctx.languages.map((l) => `<language id="${l}"></language>`).join('') : '';
    s += `\t<${name}${a}>${inner}</${name}>\n`;
  }
  if (def.associations) {
    s += '<associations>\n';
    for (const [name, ad] of Object.entries(def.associations)) {
      s += `<${name} nodeType="${ad.nodeType}" api="${name}">\n\t<${ad.nodeType}>\n${ad.fields.map((f) => `\t<${f}></${f}>\n`).join('')}\t</${ad.nodeType}>\n</${name}>\n`;
    }
    s += '</associations>\n';
  }
  return `${XML_HEAD}${s}</${def.singular}>\n${XML_TAIL}`;
}

export function schemaJson(def: ResourceDef, ctx: RenderContext): string {
  const obj: Record<string, unknown> = { id: '' };
  for (const [name, fd] of Object.entries(def.fields)) obj[name] = fd.lang ? jsonLang('', ctx.languages) : '';
  return JSON.stringify({ [def.singular]: obj });
}

export function errorsXml(errors: Array<{ code: number; message: string }>): string {
  const body = errors.map((e) => `<error>\n<code>${cdata(String(e.code))}</code>\n<message>${cdata(e.message)}</message>\n</error>\n`).join('');
  return `${XML_HEAD}<errors>\n${body}</errors>\n${XML_TAIL}`;
}

export function errorsJson(errors: Array<{ code: number; message: string }>): string {
  return JSON.stringify({ errors });
}

export function apiRootXml(resources: Array<{ name: string; methods: Record<string, boolean> }>, ctx: RenderContext): string {
  let s = '<api shopName="Orderflow emulated shop">\n';
  for (const r of resources) {
    const m = Object.entries(r.methods).map(([k, v]) => ` ${k}="${v ? 'true' : 'false'}"`).join('');
    s += `<${r.name} xlink:href="${ctx.apiBase}${r.name}"${m}>\n<description xlink:href="${ctx.apiBase}${r.name}"${m}>The ${r.name}</description>\n`;
    s += `<schema xlink:href="${ctx.apiBase}${r.name}?schema=blank" type="blank"/>\n<schema xlink:href="${ctx.apiBase}${r.name}?schema=synopsis" type="synopsis"/>\n</${r.name}>\n`;
  }
  return `${XML_HEAD}${s}</api>\n${XML_TAIL}`;
}
