/**
 * Okabe–Ito based colours for the dark theme (UI.md): match blue, mismatch vermilion,
 * stale amber, altered reddish purple, no data grey. Text-on-background pairs are checked
 * for WCAG contrast ≥ 4.5:1 in test/integration/dashboard-palette.test.ts.
 */
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermilion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
} as const;

export const THEME = {
  bg: '#0b1220',
  panel: '#111a2b',
  panelRaised: '#17233a',
  border: '#2a3a57',
  text: '#eef2f8',
  muted: '#a9b6c9',
  focus: '#F0E442',
  /** status colours used as text/icons on `bg` and `panel` */
  match: '#56B4E9',
  mismatch: '#FF7A3D',
  stale: '#E69F00',
  altered: '#E08DC0',
  conflicting: '#F0E442',
  noData: '#9aa5b4',
  live: '#2BD4A0',
  danger: '#FF6B5E',
  bannerBg: '#B3261E',
  bannerText: '#ffffff',
  ysk: '#56B4E9',
  org: '#E69F00',
} as const;

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function parseHex(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = parseHex(hex);
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio between two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function toHex([r, g, b]: [number, number, number]): string {
  return (
    '#' +
    [r, g, b]
      .map((c) =>
        Math.round(Math.min(255, Math.max(0, c)))
          .toString(16)
          .padStart(2, '0'),
      )
      .join('')
  );
}

/** Linear interpolation between colour stops, t in 0..1. */
export function ramp(stops: readonly string[], t: number): string {
  const rgb = stops.map(parseHex);
  if (rgb.length === 1 || !Number.isFinite(t)) return toHex(rgb[0]!);
  const x = Math.min(1, Math.max(0, t)) * (rgb.length - 1);
  const i = Math.min(rgb.length - 2, Math.floor(x));
  const f = x - i;
  const a = rgb[i]!;
  const b = rgb[i + 1]!;
  return toHex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

/** Sequential ramps from the panel colour to an Okabe–Ito hue (dark = little, bright = much). */
export const RAMPS = {
  coverage: ['#1b2a44', '#0072B2', '#56B4E9', '#d8efff'],
  orgCoverage: ['#1b2a44', '#00745a', '#009E73', '#bff5e2'],
  mismatch: ['#2a1f25', '#8a3a08', '#D55E00', '#ffc9a6'],
  pending: ['#2a2416', '#8a6000', '#E69F00', '#ffe7a8'],
} as const;
