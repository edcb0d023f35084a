// Component arguments, checked before any child is created: a hand-built bad argument gives a
// named error (as pulumi-eks does), not a crash deep inside.
import * as pulumi from "@pulumi/pulumi";

/** Throws an InputPropertiesError naming every required argument that is missing. */
function requireArgs<T extends object>(args: T | undefined, required: (keyof T & string)[], component = "component"): asserts args is T {
    const errors = required
        .filter((k) => args === undefined || args === null || (args as Record<string, unknown>)[k] === undefined || (args as Record<string, unknown>)[k] === null)
        .map((k) => ({ propertyPath: k, reason: `${k} is required` }));
    if (errors.length > 0) {
        throw new pulumi.InputPropertiesError({ message: `invalid arguments to ${component}: ${errors.map((e) => e.propertyPath).join(", ")} missing`, errors });
    }
}

/**
 * For `super(TYPE, name, checked(args, [...]), opts)`: validates before the component is
 * registered, so bad arguments leave nothing behind. Returns the (empty) component inputs.
 */
export function checked<T extends object>(args: T | undefined, required: (keyof T & string)[], component: string): pulumi.Inputs {
    requireArgs(args, required, component);
    return {};
}

/** Throws an InputPropertyError for one argument that is present but wrong. */
export function badArg(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}
