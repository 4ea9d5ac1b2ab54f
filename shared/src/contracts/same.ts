/**
 * Compile-time check that a hand-written type and the type a response schema infers are the same
 * shape (each assignable to the other), where the interface stays for its comments and its many
 * uses: `const _alertView: Same<AlertView, z.infer<typeof alertViewSchema>> = true;`
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
