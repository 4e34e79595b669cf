import { planDeploy, type DeployOutcome, type DeployWhat } from './plan.js';
import type { DeployBranchPort } from './port.js';

/**
 * Makes `branch` hold the tree of `build` (a commit), the way plan.ts decides: create, nothing, fast-forward,
 * or one commit on top of the tip. The ref update is a compare-and-swap (a non-forced update): a concurrent
 * push makes it throw DeployRaceError and the branch keeps the other writer's commit.
 */
export async function deployBranch(port: DeployBranchPort, branch: string, build: string, what: Omit<DeployWhat, 'branch'>): Promise<DeployOutcome> {
  const [tip, target] = await Promise.all([port.tip(branch), port.commit(build)]);
  const ancestor = tip && tip.tree !== target.tree ? await port.isAncestor(tip.sha, target.sha) : false;
  const plan = planDeploy(tip, target, ancestor, { ...what, branch });
  switch (plan.kind) {
    case 'unchanged':
      return { branch, kind: plan.kind, commit: plan.target, before: tip?.sha };
    case 'create':
    case 'fast-forward':
      await port.update(branch, plan.target, tip?.sha);
      return { branch, kind: plan.kind, commit: plan.target, before: tip?.sha };
    case 'commit': {
      const sha = await port.createCommit(plan.tree, plan.parents, plan.message);
      await port.update(branch, sha, tip?.sha);
      return { branch, kind: plan.kind, commit: sha, before: tip?.sha };
    }
  }
}

/** One line for the summary and the log. */
export function describeOutcome(o: DeployOutcome, where: string): string {
  const short = o.commit.slice(0, 12);
  switch (o.kind) {
    case 'create':
      return `Deploy branch ${o.branch} created at ${short} (${where})`;
    case 'unchanged':
      return `Deploy branch ${o.branch} already holds that tree at ${short} (${where})`;
    case 'fast-forward':
      return `Deploy branch ${o.branch} fast-forwarded ${o.before?.slice(0, 12)} → ${short} (${where})`;
    case 'commit':
      return `Deploy branch ${o.branch}: commit ${short} on top of ${o.before?.slice(0, 12)} with the build's tree (${where})`;
  }
}
