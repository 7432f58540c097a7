export type Outcome = 'passed' | 'failed';

function unescape(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Test outcomes from a jest-junit file, keyed `<suite> › <test>`. */
export function parseJunit(xml: string): Record<string, Outcome> {
  const out: Record<string, Outcome> = {};
  const cases = xml.matchAll(/<testcase\s+([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g);
  for (const m of cases) {
    const attrs = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], unescape(a[2])]));
    const body = m[3] ?? '';
    // jest-junit's default classname repeats the title; a key names a test once.
    const key =
      attrs.classname && attrs.classname !== attrs.name ? `${attrs.classname} › ${attrs.name}` : (attrs.name ?? '');
    out[key] = /<failure|<error/.test(body) ? 'failed' : 'passed';
  }
  return out;
}
