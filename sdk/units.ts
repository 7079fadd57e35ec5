/**
 * Amounts with units, for people: `1000LUX`, `2.5 DUSD`, `0.01lux`, `1500wei`, or a bare number
 * whose meaning the caller chooses (whole units, or raw base units). Formatting is the inverse:
 * 1500000000000000000 → "1.5 LUX".
 *
 *   parseAmount('2.5USD', { decimals: 6, symbols: ['DUSD', 'USD'] })   // 2_500_000n
 *   formatAmount(2_500_000n, 6, 'DUSD')                                // "2.5 DUSD"
 */
import { NamedError } from '../chain/index.js';

export interface AmountUnit {
  /** Decimals of one whole unit (LUX: 18, TIP-20 tokens: 6). */
  decimals: number;
  /** Accepted unit names, case-insensitive; the first is the one shown. */
  symbols: readonly string[];
  /** What a number without a unit means: whole units (the default) or raw base units. */
  bare?: 'whole' | 'raw';
  /** Also accept this suffix for raw base units (`wei` for LUX). */
  rawSymbol?: string;
}

export const LUX_UNIT: AmountUnit = { decimals: 18, symbols: ['LUX'], bare: 'whole', rawSymbol: 'wei' };

export class AmountError extends NamedError {
  constructor(message: string) {
    super('InvalidAmount', message);
  }
}

/** Parses an amount with an optional unit into base units; throws AmountError saying what is accepted. */
export function parseAmount(text: string, unit: AmountUnit, what = 'amount'): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?(?: ?([A-Za-z]+))?$/.exec(text);
  const examples = `10${unit.symbols[0]}, 2.5${unit.symbols[0]}${unit.rawSymbol ? ` or 1000${unit.rawSymbol}` : ''}${unit.bare === 'raw' ? ' or raw base units like 2500000' : ''}`;
  if (!m) throw new AmountError(`${what} must be an amount of ${unit.symbols[0]} like ${examples}; got "${text}"`);
  const [, whole, frac = '', suffix = ''] = m;
  const sym = suffix.toUpperCase();
  let raw: boolean;
  if (sym === '') raw = unit.bare === 'raw';
  else if (unit.rawSymbol && sym === unit.rawSymbol.toUpperCase()) raw = true;
  else if (unit.symbols.some((s) => s.toUpperCase() === sym)) raw = false;
  else throw new AmountError(`${what}: unknown unit "${suffix}" (expected ${[...unit.symbols, ...(unit.rawSymbol ? [unit.rawSymbol] : [])].join(' or ')}), got "${text}"`);
  if (raw) {
    if (frac !== '') throw new AmountError(`${what}: base units are whole numbers, got "${text}"`);
    return BigInt(whole!);
  }
  if (frac.length > unit.decimals) throw new AmountError(`${what}: ${unit.symbols[0]} has ${unit.decimals} decimals, got "${text}"`);
  return BigInt(whole!) * 10n ** BigInt(unit.decimals) + BigInt(frac.padEnd(unit.decimals, '0') || '0');
}

/** 1234567 → "1,234,567" (without Intl: loading ICU costs a command tens of milliseconds). */
export function groupDigits(v: bigint | number | string): string {
  const t = BigInt(v).toString();
  const neg = t.startsWith('-');
  const d = neg ? t.slice(1) : t;
  return (neg ? '-' : '') + d.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Base units → "1,234.5 LUX" (thousands separated, trailing zeros dropped). */
export function formatAmount(raw: bigint | string | number, decimals: number, symbol: string): string {
  let v = BigInt(raw);
  const neg = v < 0n;
  if (neg) v = -v;
  const base = 10n ** BigInt(decimals);
  const whole = groupDigits(v / base);
  const frac = decimals > 0 ? (v % base).toString().padStart(decimals, '0').replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''} ${symbol}`;
}
