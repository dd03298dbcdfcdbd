package dev.hostguard.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.hostguard.agent.bootstrap.Hooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * Vert.x (4.5 and 5) and what runs on it (Quarkus REST). A request's handlers run in vertx-web's
 * {@code RoutingContextImplBase.iterateNext()} (each {@code next()}, {@code fail(...)}, and the Router's first
 * dispatch reach it), on whatever thread calls it: the event loop, or a worker that resumes the request; it opens the
 * request scope, the routing context being the request. A request that failed into the Router's default answer
 * ({@code unhandledFailure}) or Quarkus' error handler gets the 403 instead when a refusal caused the failure or
 * happened in the request's work. vertx-web's {@code BasicAuthHandler} is where a Basic login is checked against
 * the user store: its answer is noted on the request.
 *
 * <p>Hand-overs: Vert.x's ordered task queue ({@code TaskQueue.execute}: {@code executeBlocking}, blocking handlers,
 * worker and virtual-thread contexts, {@code WorkerExecutor}, event-bus deliveries to them) and its event-loop
 * executor ({@code EventLoopExecutor.execute}: {@code runOnContext}, event-bus deliveries to event-loop verticles,
 * callbacks handed back to the loop) wrap each task where it is queued; the queue's runner, which runs the tasks of
 * every request that queued one meanwhile, works for none itself. Quarkus' worker pool is jboss-threads'
 * {@code EnhancedQueueExecutor}, no {@code ThreadPoolExecutor}: its {@code execute} wraps, its worker loop works for
 * none.
 */
final class VertxHooks implements HookFamily {
    private static final String ROUTING_CONTEXT = "io.vertx.ext.web.RoutingContext";

    @Override
    public String name() {
        return "vertx";
    }

    @Override
    public List<HookTarget> targets() {
        return List.of(
                HookTarget.library("io.vertx.ext.web.impl.RoutingContextImplBase",
                        new HookSite("RoutingContextImplBase.iterateNext", "iterateNext", takesArguments(0),
                                RequestAdvice.THIS, false),
                        new HookSite("RoutingContextImplBase.unhandledFailure", "unhandledFailure",
                                takesArguments(3).and(takesArgument(1, named(Throwable.class.getName()))),
                                advice("UnhandledFailureAdvice"), false)),
                HookTarget.library("io.quarkus.vertx.http.runtime.QuarkusErrorHandler",
                        new HookSite("QuarkusErrorHandler.handle", "handle",
                                takesArguments(1).and(takesArgument(0, named(ROUTING_CONTEXT))),
                                advice("ErrorHandlerAdvice"), false)),
                HookTarget.library("io.vertx.ext.web.handler.impl.BasicAuthHandlerImpl",
                        new HookSite("BasicAuthHandlerImpl.authenticate (Vert.x 5)", "authenticate",
                                takesArguments(1).and(takesArgument(0, named(ROUTING_CONTEXT))),
                                advice("LoginCheckedAdvice"), false)),
                HookTarget.library("io.vertx.core.impl.TaskQueue",
                        new HookSite("TaskQueue.execute", "execute", takesArguments(2)
                                .and(takesArgument(0, named(Runnable.class.getName()))),
                                HandOverHooks.WRAP_RUNNABLE, false),
                        new HookSite("TaskQueue.run", "run", takesArguments(0), WORKER_START, false)),
                HookTarget.library("io.vertx.core.impl.EventLoopExecutor",
                        new HookSite("EventLoopExecutor.execute", "execute", takesArguments(1)
                                .and(takesArgument(0, named(Runnable.class.getName()))),
                                HandOverHooks.WRAP_RUNNABLE, false)),
                HookTarget.library("org.jboss.threads.EnhancedQueueExecutor",
                        new HookSite("EnhancedQueueExecutor.execute", "execute", takesArguments(1)
                                .and(takesArgument(0, named(Runnable.class.getName()))),
                                HandOverHooks.WRAP_RUNNABLE, false),
                        new HookSite("EnhancedQueueExecutor.runThreadBody", "runThreadBody", takesArguments(0),
                                WORKER_START, false)));
    }

    /** {@code HandOverHooks}' worker-loop advice: the loop works for no request; its tasks carry their own. */
    private static final String WORKER_START = HandOverHooks.class.getName() + "$WorkerStartAdvice";


    /** The Router's default answer to a failure: skipped when the 403 was written instead. */
    static final class UnhandledFailureAdvice {
        private UnhandledFailureAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object context, @Advice.Argument(1) Throwable failure) {
            return Hooks.refusalAnswer(context, failure) != null;
        }
    }

    /** Quarkus' error handler (its answer to a failed request): skipped when the 403 was written instead. */
    static final class ErrorHandlerAdvice {
        private ErrorHandlerAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) Object context) {
            return Hooks.refusalAnswer(context, null) != null;
        }
    }

    /** The Basic login's answer ({@code Future<User>}), for the request it came with. */
    static final class LoginCheckedAdvice {
        private LoginCheckedAdvice() {
        }

        @Advice.OnMethodExit
        static void exit(@Advice.Argument(0) Object context, @Advice.Return Object answer) {
            Hooks.loginChecked(context, answer);
        }
    }
}
