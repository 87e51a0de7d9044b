/** Reads a received e-mail back: headers (RFC 2047 words decoded) and its leaf parts, decoded. Enough for our messages. */
export interface MimeLeaf {
  contentType: string;
  filename: string | undefined;
  content: Buffer;
  text: string;
}

export interface ParsedMail {
  headers: Map<string, string>;
  header(name: string): string;
  parts: MimeLeaf[];
  text: string;
  html: string;
  attachments: MimeLeaf[];
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const i = raw.indexOf('\r\n\r\n');
  const head = i < 0 ? raw : raw.slice(0, i);
  const body = i < 0 ? '' : raw.slice(i + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const c = line.indexOf(':');
    if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), decodeWords(line.slice(c + 1).trim()));
  }
  return { headers, body };
}

function decodeWords(v: string): string {
  return v.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_m, _cs: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')).toString('utf8'),
  );
}

function qp(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes);
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\*?=("([^"]*)"|[^;\\s]+)`, 'i').exec(value);
  return m ? (m[2] ?? m[1]) : undefined;
}

function leaves(raw: string): MimeLeaf[] {
  const { headers, body } = splitHead(raw);
  const ct = headers.get('content-type') ?? 'text/plain';
  const boundary = param(ct, 'boundary');
  if (/^multipart\//i.test(ct) && boundary) {
    const out: MimeLeaf[] = [];
    const chunks = body.split(`--${boundary}`).slice(1);
    for (const chunk of chunks) {
      if (chunk.startsWith('--')) break;
      out.push(...leaves(chunk.replace(/^\r\n/, '')));
    }
    return out;
  }
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const content = enc === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : enc === 'quoted-printable' ? qp(body) : Buffer.from(body, 'utf8');
  const disp = headers.get('content-disposition') ?? '';
  const filename = param(disp, 'filename') ?? param(ct, 'name');
  return [{ contentType: ct.split(';')[0]!.trim().toLowerCase(), filename, content, text: content.toString('utf8') }];
}

export function parseMail(raw: string): ParsedMail {
  const { headers } = splitHead(raw);
  const parts = leaves(raw);
  const attachments = parts.filter((p) => p.filename !== undefined);
  const body = parts.filter((p) => p.filename === undefined);
  return {
    headers,
    header: (n) => headers.get(n.toLowerCase()) ?? '',
    parts,
    text: body.find((p) => p.contentType === 'text/plain')?.text ?? '',
    html: body.find((p) => p.contentType === 'text/html')?.text ?? '',
    attachments,
  };
}
