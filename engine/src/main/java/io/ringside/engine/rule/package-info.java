/**
 * Rules written on declared operators: the surface to learn first.
 * <ol>
 *   <li>{@link io.ringside.engine.rule.Rule}: the handler base; write {@code handle(event, context)}.</li>
 *   <li>{@link io.ringside.engine.rule.Operators}: where the constructor declares the operators, once.</li>
 *   <li>{@link io.ringside.engine.rule.Windows}: what every window kind shares: {@code add(key, eventTime, values...)},
 *       false when the event is late (reported by the rule).</li>
 *   <li>{@link io.ringside.engine.rule.Closed}: the listener a window goes to as it closes, with the context.</li>
 *   <li>The kinds: {@link io.ringside.engine.rule.Tumbling}, {@link io.ringside.engine.rule.Hopping},
 *       {@link io.ringside.engine.rule.Sessions}, {@link io.ringside.engine.rule.Sliding},
 *       {@link io.ringside.engine.rule.Counting},
 *       {@link io.ringside.engine.rule.Global}.</li>
 *   <li>{@link io.ringside.engine.rule.KeyGroup}: several kinds and {@link io.ringside.engine.rule.KeyBytes} of a key
 *       in one entry (one map access per event).</li>
 *   <li>{@link io.ringside.engine.rule.SeenIds}: deduplication; {@link io.ringside.engine.rule.Store}: keyed state of
 *       the rule's own.</li>
 *   <li>{@link io.ringside.engine.state.Window} and {@link io.ringside.engine.state.Aggregates}: a closing window's
 *       results, and what a window computes.</li>
 * </ol>
 * The rule closes them as the watermark moves, judges and reports late events, snapshots and restores them with
 * itself, and frees them at close. {@link io.ringside.engine.TestDriver} runs a rule in a test.
 */
package io.ringside.engine.rule;
