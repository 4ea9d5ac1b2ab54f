import { foldName } from '@gozcu/shared';
import { PROVINCE_NAMES } from './provinces';

/** The map's three misspellings (shared/data/README.md), by folded name. */
const MAP_NAME_FIXES: Readonly<Record<string, number>> = {
  'k maras': 46,
  zinguldak: 67,
  kinkkale: 71,
};

const BY_FOLDED_NAME: ReadonlyMap<string, number> = new Map(Object.entries(PROVINCE_NAMES).map(([plate, name]) => [foldName(name), Number(plate)]));

/** Plate code for a geometry's ASCII `name`, or null (the unnamed islet, or an unknown name). */
export function plateForMapName(name: string | null | undefined): number | null {
  if (!name) return null;
  const folded = foldName(name);
  if (!folded) return null;
  return MAP_NAME_FIXES[folded] ?? BY_FOLDED_NAME.get(folded) ?? null;
}

export interface TopoGeometry {
  type: string;
  id?: string | number;
  properties?: { name?: string | null } & Record<string, unknown>;
  arcs?: unknown;
}

/** Keeps the 81 named provinces (dropping the islet) and tags each with its plate code. */
export function provinceGeometries<G extends TopoGeometry>(geometries: readonly G[]): Array<G & { properties: { name: string; plate: number } }> {
  const out: Array<G & { properties: { name: string; plate: number } }> = [];
  const seen = new Set<number>();
  for (const g of geometries) {
    const plate = plateForMapName(g.properties?.name ?? null);
    if (plate == null || seen.has(plate)) continue;
    seen.add(plate);
    out.push({ ...g, properties: { ...(g.properties ?? {}), name: PROVINCE_NAMES[plate]!, plate } });
  }
  return out;
}
