/**
 * For unit tests: an object with exactly the members given, standing in for a provider (a
 * repository, the YSK client, a service). Reading any other member throws, naming it, so a
 * service that does something the test did not expect fails loudly instead of getting undefined.
 * (`then` and symbols read as undefined: awaiting or printing a fake is not a use of it.)
 */
export function strictFake<T extends object>(name: string, members: Partial<T>): T {
  return new Proxy(members, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      throw new Error(`${name}: unexpected use of ${String(prop)}`);
    },
  }) as T;
}

/** A function for a strict fake that must not be called. */
export function notCalled(name: string): () => never {
  return () => {
    throw new Error(`${name} was not expected to be called`);
  };
}
