/**
 * XML for writes. Request bodies must be XML, and PUT replaces the whole object, so a write starts from
 * what the shop printed: the entity's fields are kept in order, values verbatim (no pretty-printing
 * inside tags, which PrestaShop would store), and written back in CDATA. Associations are left out of a
 * PUT on purpose: PrestaShop only touches associations present in the body.
 */
import { XMLParser } from 'fast-xml-parser';
import { BugError } from '../../core/errors.ts';

export type XmlValue = string | Array<{ id: string; value: string }>;

export interface XmlEntity {
  /** The element name under <prestashop>, e.g. `order_carrier`. */
  node: string;
  fields: Map<string, XmlValue>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'language',
});

/** Fields PrestaShop refuses in a write body (setter false: code 93). */
const NOT_WRITABLE: Record<string, string[]> = {
  product: ['manufacturer_name', 'quantity'],
  combination: ['quantity'],
};

function textOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const t = (v as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t : '';
  }
  return String(v);
}

export function parseEntityXml(xml: string): XmlEntity {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc.prestashop as Record<string, unknown> | undefined;
  const entry = root ? Object.entries(root).find(([k, v]) => !k.startsWith('@_') && k !== '#text' && typeof v === 'object') : undefined;
  if (!entry) throw new BugError('OF_PS_XML_UNEXPECTED', 'PrestaShop answered XML without an object under <prestashop>');
  const [node, raw] = entry;
  const fields = new Map<string, XmlValue>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k.startsWith('@_') || k === '#text' || k === 'associations' || NOT_WRITABLE[node]?.includes(k)) continue;
    const langs = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).language : undefined;
    if (Array.isArray(langs)) fields.set(k, langs.map((l) => ({ id: String((l as Record<string, unknown>)['@_id'] ?? '1'), value: textOf(l) })));
    else fields.set(k, textOf(v));
  }
  return { node, fields };
}

const cdata = (v: string): string => `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

export function buildEntityXml(e: XmlEntity): string {
  let s = `<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink"><${e.node}>`;
  for (const [k, v] of e.fields) {
    s += typeof v === 'string' ? `<${k}>${cdata(v)}</${k}>` : `<${k}>${v.map((l) => `<language id="${l.id}">${cdata(l.value)}</language>`).join('')}</${k}>`;
  }
  return `${s}</${e.node}></prestashop>`;
}

/** A new object for a POST. */
export function newEntity(node: string, values: Record<string, string>): XmlEntity {
  return { node, fields: new Map(Object.entries(values)) };
}
