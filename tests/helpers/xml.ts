/**
 * A strict little XML 1.0 parser for tests: enough to prove a document is
 * well-formed (one root, balanced tags, quoted attributes, no duplicate
 * attributes, only the five predefined or numeric entities, no raw `<` or `&`
 * in text) and to read elements back. Throws with the offset on the first error.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated, entity-decoded text directly inside this element. */
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*$/;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// Characters XML 1.0 allows.
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\uD800-\uDFFF]/;

function decode(raw: string, at: number): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bad entity or bare & near offset ${at}: ${raw.slice(0, 60)}`);
  return raw.replace(ENTITY, (_, named, dec, hex) => (named ? NAMED[named] : String.fromCodePoint(dec ? Number(dec) : parseInt(hex, 16))));
}

export function parseXml(source: string): XmlElement {
  const bad = INVALID_CHAR.exec(source);
  if (bad) throw new Error(`character U+${bad[0].charCodeAt(0).toString(16)} is not allowed in XML (offset ${bad.index})`);
  let i = 0;
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (text.includes(']]>')) throw new Error(`"]]>" in text near offset ${i}`);
    if (stack.length === 0) {
      if (text.trim()) throw new Error(`text outside the root element near offset ${i}`);
    } else stack[stack.length - 1].text += decode(text, i);
    if (lt < 0) break;
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt);
      if (end < 0) throw new Error(`unterminated comment at ${lt}`);
      i = end + 3;
      continue;
    }
    if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt);
      if (end < 0 || stack.length === 0) throw new Error(`bad CDATA at ${lt}`);
      stack[stack.length - 1].text += source.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    const gt = source.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const tag = source.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> at ${lt} does not close <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^[^\s/>]+/.exec(body);
    if (!nameMatch || !NAME.test(nameMatch[0])) throw new Error(`bad element name at ${lt}: <${tag.slice(0, 30)}`);
    const element: XmlElement = { name: nameMatch[0], attributes: {}, children: [], text: '' };
    let rest = body.slice(nameMatch[0].length);
    const attribute = /^\s+([^\s=]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/;
    for (let m = attribute.exec(rest); m; m = attribute.exec(rest)) {
      if (!NAME.test(m[1])) throw new Error(`bad attribute name ${m[1]} at ${lt}`);
      if (m[1] in element.attributes) throw new Error(`duplicate attribute ${m[1]} at ${lt}`);
      element.attributes[m[1]] = decode(m[2] ?? m[3], lt);
      rest = rest.slice(m[0].length);
    }
    if (rest.trim()) throw new Error(`malformed tag at ${lt}: <${tag.slice(0, 60)}>`);
    if (stack.length === 0) {
      if (root) throw new Error(`second root element <${element.name}> at ${lt}`);
      root = element;
    } else stack[stack.length - 1].children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Direct children named `name`. */
export const childrenNamed = (element: XmlElement, name: string) => element.children.filter((c) => c.name === name);
export const childNamed = (element: XmlElement, name: string) => element.children.find((c) => c.name === name);
