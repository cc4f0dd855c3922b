import { printableText, xmlText } from './document-text';

describe('document text', () => {
  it('xmlText drops what XML 1.0 cannot carry and keeps everything else', () => {
    expect(xmlText('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFE\uFFFF')).toBe('abcdefg');
    expect(xmlText('tab\tnew\nline\rcr')).toBe('tab\tnew\nline\rcr');
    expect(xmlText('lone \uD800 high, lone \uDC00 low, pair 🙂')).toBe('lone  high, lone  low, pair 🙂');
    expect(xmlText('<b>&amp;</b> "Łódź" Москва \u202E')).toBe('<b>&amp;</b> "Łódź" Москва \u202E');
    // NFC: a decomposed "ó" becomes one character
    expect(xmlText('o\u0301')).toBe('\u00F3');
  });

  it('printableText makes one clean line', () => {
    expect(printableText('  two\r\n lines\tand\u0007bell  ')).toBe('two lines and bell');
    expect(printableText('\u202Egnp.exe\u200B zero\u2066width\uFEFF')).toBe('gnp.exe zerowidth');
    expect(printableText('\uD800')).toBe('');
    expect(printableText('Łódź — Москва 🙂')).toBe('Łódź — Москва 🙂');
  });
});
