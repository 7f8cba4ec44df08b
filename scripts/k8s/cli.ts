/**
 * Kubernetes manifests:  tsx scripts/k8s/cli.ts render DIR        prints the objects DIR renders to (YAML stream)
 *                        tsx scripts/k8s/cli.ts rules [--verify]  writes (or checks) base/prometheusrules.yaml
 *                        tsx scripts/k8s/cli.ts slo CHECKS_DIR    prints a PrometheusRule with the SLO alerts of those checks
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/errors';
import { render, RenderError } from './kustomize';
import { prometheusRulesYaml, RULES_MANIFEST, sloPrometheusRule, sloPrometheusRuleYaml } from './prometheus-rules';

function main(argv: string[]): number {
  const [cmd, arg] = argv;
  if (cmd === 'render' && arg) {
    process.stdout.write(
      render(arg)
        .map((o) => `---\n${stringify(o, { lineWidth: 0 })}`)
        .join(''),
    );
    return 0;
  }
  if (cmd === 'slo' && arg) {
    for (const s of sloPrometheusRule(arg).skipped) process.stderr.write(`skipped ${s}\n`);
    process.stdout.write(sloPrometheusRuleYaml(arg));
    return 0;
  }
  if (cmd === 'rules') {
    const text = prometheusRulesYaml();
    if (arg === '--verify') {
      let current = '';
      try {
        current = readFileSync(RULES_MANIFEST, 'utf8');
      } catch {
        // missing differs
      }
      if (current === text) return 0;
      process.stderr.write(`${RULES_MANIFEST} is out of date: run npm run k8s:rules\n`);
      return 1;
    }
    writeFileSync(RULES_MANIFEST, text);
    process.stderr.write(`wrote ${RULES_MANIFEST}\n`);
    return 0;
  }
  process.stderr.write('usage: k8s render DIR | k8s rules [--verify] | k8s slo CHECKS_DIR\n');
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof RenderError) && !(e instanceof ConfigError)) throw e;
  process.stderr.write(`k8s: ${e.message}\n`);
  process.exitCode = 2;
}
