/**
 * Public API of the AIVM area (`sessionchain/aivm`): the cross-chain wire (intent, task and commit
 * ids, the 355-byte receipt and its Merkle tree), deterministic operator selection, the legacy
 * reward formula, the tiny-classifier model file (from `gpu`), and the chain module itself.
 */
export { chainIdFromString, commitHash, decodeReceipt, encodeReceipt, intentId, intentPreimage, receiptHash, taskId, ReceiptStatus, RECEIPT_LENGTH, DOMAIN_INTENT, DOMAIN_RECEIPT } from './wire.js';
export type { CommitFields, IntentFields, Receipt, ReceiptFields, TaskIdFields } from './wire.js';
export { addressRoot, receiptRoot, receiptProof, verifyReceiptProof, ZERO_ROOT, type ReceiptProof } from './merkle.js';
export { selectOperators, requiredMargin } from './selection.js';
export { computeReward, computeClass, confidentialComputeOf, capabilityBonusPct, legacyReceiptHash, legacyMerkleRoot } from './rewards.js';
export { loadModelFile, encodeModelFile, runInference, MODEL_FILE_SIZE } from './kernels.js';
export { attestationMessage, signAttestation } from './attestations.js';
export { teeCertificateMessage, issueTeeCertificate, DEV_TEE_VENDOR, type TeeCertificateFields } from './tee.js';
export { nearCapacity } from './round.js';
export { AIVM_ADDRESS, ESCROW_ADDRESS, BURN_ADDRESS, POOL_ADDRESS, Mode, MODE_NAMES, TaskStatus, TASK_STATUS_NAMES, ModelOpKind, Modality, AttestationKind } from './constants.js';
export { parseAivmParams, DEFAULT_AIVM_PARAMS, AIVM_RULES, CURRENT_AIVM_RULES, type AivmParams, type TeeVendorKey } from './params.js';
export { aivmModule } from './module.js';
export { taskViewT, providerViewT, type TaskView, type ProviderView } from './views.js';
