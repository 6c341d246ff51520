import type { Inventory } from "./inventory.types.ts";

export interface InventoryGaps {
  /** `table.column` present in the database but not declared. */
  undeclared: string[];
  /** `table.column` declared but absent from the database. */
  missing: string[];
}

/** Compares the columns that exist with the inventory. Both lists empty means the inventory is whole. */
export function findInventoryGaps(columns: readonly string[], inventory: Inventory): InventoryGaps {
  const declared = new Set(
    Object.entries(inventory).flatMap(([table, decl]) =>
      Object.keys(decl.columns).map((c) => `${table}.${c}`),
    ),
  );
  const present = new Set(columns);
  return {
    undeclared: [...present].filter((c) => !declared.has(c)).sort(),
    missing: [...declared].filter((c) => !present.has(c)).sort(),
  };
}
