/**
 * Reading a write's XML body: validated first (an invalid document is PrestaShop's code 127, with the
 * validator's message), then parsed with every value kept as written (no trimming, no number parsing).
 *
 * Deliberately not shared with the connector's XML code: the emulator is the client's test double, and
 * sharing a parser would let one bug hide in both.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { psError } from './query.ts';

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name: string) => name === 'language',
  // The callbacks get a matcher instead of a path string built for every tag (isArray reads only the name).
  jPath: false,
});

export function readXml(xml: string): XmlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw psError(500, 127, `XML error : ${valid.err.msg} (line ${valid.err.line})`);
  return parser.parse(xml) as XmlNode;
}
