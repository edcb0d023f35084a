// Engine test fixture: a policy pack with one mandatory policy. ConfigMaps are
// stored in the clear, so a data key that names a secret is a violation.
import { PolicyPack } from "@pulumi/policy";

const secretLike = /(password|secret|token|privatekey)$/i;

new PolicyPack("engine-fixture-policy", {
  policies: [
    {
      name: "no-secrets-in-configmaps",
      description: "ConfigMaps must not hold secrets; use a Secret.",
      enforcementLevel: "mandatory",
      validateResource: (args, reportViolation) => {
        if (args.type !== "kubernetes:core/v1:ConfigMap") return;
        const data = (args.props.data ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(data)) {
          if (secretLike.test(key)) reportViolation(`ConfigMap data key "${key}" looks like a secret`);
        }
      },
    },
  ],
});
