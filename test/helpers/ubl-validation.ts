/**
 * Real validators for the UBL documents the tests produce (no mocks):
 * - the UBL 2.1 XML schemas with xmllint (Debian libxml2-utils);
 * - the EN 16931 business rules with the CEN validation artefacts (XSLT compiled from the Schematron,
 *   EUPL 1.2) run by Saxon-HE on Java (Debian libsaxonhe-java, default-jre-headless).
 * The schemas are copied into test/fixtures/schemas so the repository stands alone.
 * `npm test` installs the tools (test/ensure-tools.js).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCHEMAS = join(__dirname, '..', 'fixtures', 'schemas');
export const UBL_INVOICE_XSD = join(SCHEMAS, 'ubl-2.1', 'maindoc', 'UBL-Invoice-2.1.xsd');
export const UBL_CREDIT_NOTE_XSD = join(SCHEMAS, 'ubl-2.1', 'maindoc', 'UBL-CreditNote-2.1.xsd');
export const EN16931_XSLT = join(SCHEMAS, 'en16931', 'EN16931-UBL-validation.xslt');
export const SAXON_JAR = process.env.SAXON_JAR ?? '/usr/share/java/Saxon-HE.jar';

export interface SchemaResult {
  ok: boolean;
  output: string;
}

/** `xmllint --noout --schema` against the Invoice or CreditNote schema, chosen by the root element. */
export function validateUblSchema(xml: string): SchemaResult {
  const xsd = /<CreditNote[\s>]/.test(xml.slice(0, 2000)) ? UBL_CREDIT_NOTE_XSD : UBL_INVOICE_XSD;
  const dir = mkdtempSync(join(tmpdir(), 'ubl-xsd-'));
  try {
    const file = join(dir, 'document.xml');
    writeFileSync(file, xml);
    const run = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    if (run.error) throw run.error;
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FailedRule {
  flag: string;
  id: string;
  text: string;
  location: string;
}

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function attribute(tag: string, name: string): string {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]) : '';
}

/** The failed asserts of an SVRL report. */
export function parseSvrl(svrl: string): FailedRule[] {
  const failed: FailedRule[] = [];
  const re = /<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g;
  for (let m = re.exec(svrl); m; m = re.exec(svrl)) {
    const text = /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[2]);
    failed.push({
      flag: attribute(m[1], 'flag'),
      id: attribute(m[1], 'id'),
      location: attribute(m[1], 'location'),
      text: text ? unescape(text[1]).replace(/\s+/g, ' ').trim() : '',
    });
  }
  return failed;
}

/**
 * Runs the EN 16931 rules over several documents in one Java start (Saxon transforms a directory).
 * Returns the failed rules of each document, in the order given.
 */
export function validateEn16931(xmls: string[]): FailedRule[][] {
  const dir = mkdtempSync(join(tmpdir(), 'en16931-'));
  try {
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    mkdirSync(input);
    mkdirSync(output);
    const names = xmls.map((xml, i) => {
      const name = `doc-${String(i).padStart(4, '0')}.xml`;
      writeFileSync(join(input, name), xml);
      return name;
    });
    const run = spawnSync('java', ['-jar', SAXON_JAR, `-s:${input}`, `-xsl:${EN16931_XSLT}`, `-o:${output}`], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.error) throw run.error;
    if (run.status !== 0) throw new Error(`Saxon failed (${run.status}): ${run.stderr}`);
    const produced = new Set(readdirSync(output));
    return names.map((name) => {
      if (!produced.has(name)) throw new Error(`Saxon wrote no report for ${name}: ${run.stderr}`);
      return parseSvrl(readFileSync(join(output, name), 'utf8'));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fatal failures only; prints warnings (so a reader sees them) and returns the fatal ones. */
export function fatalRules(failed: FailedRule[], label: string): FailedRule[] {
  const warnings = failed.filter((f) => f.flag !== 'fatal');
  if (warnings.length > 0) {
    console.warn(`${label}: EN 16931 warnings:\n${warnings.map((w) => `  ${w.flag} ${w.id} ${w.text}`).join('\n')}`);
  }
  return failed.filter((f) => f.flag === 'fatal');
}
