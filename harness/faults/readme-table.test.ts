import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/versions';
import { faultCatalog } from './catalog';
import { BEGIN, END, faultTableCells, readmeTableCells, renderFaultTable, updateReadme } from './readme-table';

describe("the README's fault table", () => {
  it('is the catalog (regenerate with `npx epp-e2e faults --update-readme`)', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readmeTableCells(readme)).toEqual(faultTableCells(faultCatalog()));
  });

  it('is padded as Prettier pads a table, and replaced between its markers only', () => {
    const catalog = faultCatalog().slice(0, 2);
    const table = renderFaultTable(catalog).split('\n');
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(table[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+ \|$/);
    const doc = `before\n${BEGIN}\nold\n${END}\nafter\n`;
    const out = updateReadme(doc, catalog);
    expect(out.startsWith(`before\n${BEGIN}\n\n| fault`)).toBe(true);
    expect(out.endsWith(`|\n\n${END}\nafter\n`)).toBe(true);
    expect(readmeTableCells(out)).toEqual(faultTableCells(catalog));
    expect(() => updateReadme('no markers', catalog)).toThrow('README.md has no fault-table markers');
  });
});
