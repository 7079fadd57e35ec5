/**
 * The service node registry (spec §1.7) with the [P] additions: stake is moved into module custody
 * and checked against `minStake`; registering proves possession of the node key; exit starts an
 * unbonding period during which equivocation evidence can still slash; slashing is terminal.
 *
 * Node ID = SHA256("LUX:ServiceNode:v1" ‖ ML-DSA-65 public key) (see `nodeIdFromPublicKey`). The
 * registering account becomes the node's operator: it signs the node's transactions (records,
 * receipts, lifecycle), while the node key signs attestations. They may be the same ML-DSA key.
 */
import { addressBytes, type Address, toHex, utf8, sha256, sha256Concat, LUX_ADDRESS } from '../../../chain/index.js';
import type { SignatureCheck, StateReader } from '../../../chain/index.js';
import { type Ctx, fail, loadNode, operatedNode, saveNode } from './access.js';
import { nodeIdFromPublicKey } from './ids.js';
import { activeNodes } from './linkedset.js';
import { ENDPOINT_MAX, keys, type NodeRecord } from './state.js';
import { type Id32, NodeStatus, nodeStatusName } from './types.js';

const POP_DOMAIN = utf8('LUX:ServiceNodePoP:v1');

/** What a node key signs to prove possession: SHA256("LUX:ServiceNodePoP:v1" ‖ operator(20) ‖ node_id). */
export function proofOfPossessionMessage(operator: Address, nodeId: Id32): Uint8Array {
  return sha256Concat(POP_DOMAIN, addressBytes(operator), nodeId);
}

export interface RegisterArgs {
  publicKey: Uint8Array;
  endpoint: string;
  stake: bigint;
  proof: Uint8Array;
}

export function registerSignatures(args: RegisterArgs, from: Address): SignatureCheck[] {
  const nodeId = nodeIdFromPublicKey(args.publicKey);
  return [{ kind: 'ml-dsa', publicKey: args.publicKey, message: proofOfPossessionMessage(from, nodeId), signature: args.proof }];
}

export async function registerNode(ctx: Ctx, args: RegisterArgs): Promise<Id32> {
  const nodeId = nodeIdFromPublicKey(args.publicKey);
  if (await ctx.state.has(keys.node(nodeId))) fail('NodeExists', `node ${toHex(nodeId)} is already registered`);
  const endpoint = args.endpoint;
  if (endpoint.length === 0 || utf8(endpoint).length > ENDPOINT_MAX) fail('InvalidEndpoint', `the endpoint must be 1..${ENDPOINT_MAX} bytes`);
  const endpointKey = keys.endpoint(sha256(utf8(endpoint)));
  if (await ctx.state.has(endpointKey)) fail('EndpointTaken', `endpoint ${endpoint} is already used by another node`);
  if (args.stake < ctx.params.minStake) fail('InsufficientStake', `stake ${args.stake} is below the minimum ${ctx.params.minStake} wei`);
  if (!ctx.verifyMlDsa(args.publicKey, proofOfPossessionMessage(ctx.caller, nodeId), args.proof)) {
    fail('InvalidProofOfPossession', 'proof must be the node key\'s ML-DSA-65 signature over SHA256("LUX:ServiceNodePoP:v1" ‖ operator ‖ node_id)');
  }
  await ctx.call(LUX_ADDRESS, 'systemTransfer', { from: ctx.caller, to: ctx.self, amount: args.stake });
  const node: NodeRecord = {
    operator: ctx.caller,
    endpoint,
    stake: args.stake,
    status: NodeStatus.registered,
    registeredHeight: ctx.block.height,
    lastSeenHeight: ctx.block.height,
    exitHeight: 0n,
    reason: '',
  };
  saveNode(ctx, nodeId, node);
  ctx.state.set(keys.nodeKey(nodeId), args.publicKey);
  ctx.state.set(endpointKey, nodeId);
  ctx.emit('NodeRegistered', { nodeId, operator: ctx.caller, endpoint, stake: args.stake });
  return nodeId;
}

function setStatus(ctx: Ctx, nodeId: Id32, node: NodeRecord, status: number, reason: string): void {
  saveNode(ctx, nodeId, { ...node, status, reason });
  ctx.emit('NodeStatusChanged', { nodeId, status, reason });
}

function requireStatus(nodeId: Id32, node: NodeRecord, allowed: number[], action: string): void {
  if (node.status === NodeStatus.slashed) fail('NodeSlashed', `node ${toHex(nodeId)} was slashed; it cannot ${action}`);
  if (!allowed.includes(node.status)) {
    fail('InvalidNodeStatus', `node ${toHex(nodeId)} is ${nodeStatusName(node.status)}; to ${action} it must be ${allowed.map((s) => nodeStatusName(s)).join(' or ')}`);
  }
}

export async function activateNode(ctx: Ctx, nodeId: Id32): Promise<void> {
  const node = await operatedNode(ctx, nodeId);
  requireStatus(nodeId, node, [NodeStatus.registered, NodeStatus.suspended], 'activate');
  if (node.stake < ctx.params.minStake) fail('InsufficientStake', `stake ${node.stake} is below the minimum ${ctx.params.minStake} wei`);
  if ((await activeNodes.size(ctx.state)) >= ctx.params.maxActiveNodes) fail('TooManyActiveNodes', `the active set is full (${ctx.params.maxActiveNodes} nodes)`);
  await activeNodes.add(ctx.state, nodeId);
  setStatus(ctx, nodeId, { ...node, lastSeenHeight: ctx.block.height }, NodeStatus.active, '');
}

export async function suspendNode(ctx: Ctx, nodeId: Id32, reason: string): Promise<void> {
  const node = await operatedNode(ctx, nodeId);
  requireStatus(nodeId, node, [NodeStatus.active], 'be suspended');
  await activeNodes.remove(ctx.state, nodeId);
  setStatus(ctx, nodeId, node, NodeStatus.suspended, reason);
}

export async function exitNode(ctx: Ctx, nodeId: Id32): Promise<void> {
  const node = await operatedNode(ctx, nodeId);
  requireStatus(nodeId, node, [NodeStatus.registered, NodeStatus.active, NodeStatus.suspended], 'exit');
  await activeNodes.remove(ctx.state, nodeId);
  ctx.state.delete(keys.endpoint(sha256(utf8(node.endpoint))));
  setStatus(ctx, nodeId, { ...node, exitHeight: ctx.block.height }, NodeStatus.exited, '');
}

export async function withdrawStake(ctx: Ctx, nodeId: Id32): Promise<bigint> {
  const node = await operatedNode(ctx, nodeId);
  requireStatus(nodeId, node, [NodeStatus.exited], 'withdraw its stake');
  const unlock = node.exitHeight + ctx.params.unbondingBlocks;
  if (ctx.block.height < unlock) fail('StakeLocked', `the stake unbonds at height ${unlock}; it is ${ctx.block.height}`);
  if (node.stake === 0n) fail('NothingToWithdraw', `node ${toHex(nodeId)} has no stake left`);
  await ctx.call(LUX_ADDRESS, 'systemTransfer', { from: ctx.self, to: node.operator, amount: node.stake });
  saveNode(ctx, nodeId, { ...node, stake: 0n });
  ctx.emit('StakeWithdrawn', { nodeId, operator: node.operator, amount: node.stake });
  return node.stake;
}

export async function heartbeat(ctx: Ctx, nodeId: Id32): Promise<void> {
  const node = await operatedNode(ctx, nodeId);
  requireStatus(nodeId, node, [NodeStatus.registered, NodeStatus.active, NodeStatus.suspended], 'send heartbeats');
  saveNode(ctx, nodeId, { ...node, lastSeenHeight: ctx.block.height });
}

/**
 * Slashes a node exactly once: status Slashed (terminal), out of the active set, its stake split
 * between the reporter (`reporterRewardBps`) and a burn. Returns [penalty, reward].
 */
export async function slashNode(ctx: Ctx, nodeId: Id32, evidenceId: Id32, reporter: Address): Promise<[bigint, bigint]> {
  const node = await loadNode(ctx.state, nodeId);
  if (node.status === NodeStatus.slashed) fail('AlreadySlashed', `node ${toHex(nodeId)} was already slashed (evidence ${node.reason})`);
  const penalty = node.stake;
  const reward = (penalty * BigInt(ctx.params.reporterRewardBps)) / 10_000n;
  if (reward > 0n) await ctx.call(LUX_ADDRESS, 'systemTransfer', { from: ctx.self, to: reporter, amount: reward });
  if (penalty - reward > 0n) await ctx.call(LUX_ADDRESS, 'burn', { from: ctx.self, amount: penalty - reward });
  await activeNodes.remove(ctx.state, nodeId);
  if (node.status !== NodeStatus.exited) ctx.state.delete(keys.endpoint(sha256(utf8(node.endpoint))));
  setStatus(ctx, nodeId, { ...node, stake: 0n }, NodeStatus.slashed, toHex(evidenceId));
  ctx.emit('NodeSlashed', { nodeId, reporter, evidenceId, penalty, reward });
  return [penalty, reward];
}

export async function nodePublicKey(state: StateReader, nodeId: Id32): Promise<Uint8Array | undefined> {
  return state.get(keys.nodeKey(nodeId));
}
