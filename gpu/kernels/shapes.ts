/** Arena shapes of the two hashed tables, from the layouts. */
import type { ArenaShape } from '../arena.js';
import { Attestation, ModelRegistryEntry } from '../layouts.js';

export const ATTESTATION_ARENA: ArenaShape = {
  slotSize: Attestation.size,
  keyOffset: Attestation.offsets.teeQuoteDigest,
  occupiedOffset: Attestation.offsets.occupied,
};

export const MODEL_ARENA: ArenaShape = {
  slotSize: ModelRegistryEntry.size,
  keyOffset: ModelRegistryEntry.offsets.modelRoot,
  occupiedOffset: ModelRegistryEntry.offsets.occupied,
};
