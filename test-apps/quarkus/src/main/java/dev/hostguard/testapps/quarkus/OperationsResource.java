package dev.hostguard.testapps.quarkus;

import dev.hostguard.testapps.ops.HostOperations;
import io.quarkus.virtual.threads.VirtualThreads;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.unchecked.Unchecked;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The operations, as JAX-RS resource methods of Quarkus REST. Which thread runs them is Quarkus' choice from the
 * signature and the annotations:
 * <ul>
 *   <li>{@code GET /<family>/<op>}: returns a {@code String}, so by default a worker thread of Quarkus' pool
 *       ({@code executor-thread-<n>}, as with {@code @Blocking})</li>
 *   <li>{@code GET /<family>/event-loop/<op>}: {@code @NonBlocking}, on the Vert.x event loop that read the
 *       request</li>
 *   <li>{@code GET /key/virtual-thread/<op>}: from a worker, {@code submit(...).get()} on Quarkus' virtual-thread
 *       executor ({@code @VirtualThreads ExecutorService}): a new virtual thread ({@code quarkus-virtual-thread-<n>})
 *       on JDK 21+; before, Quarkus falls back to Vert.x's worker pool ({@code executeBlocking}, unordered).
 *       {@code @RunOnVirtualThread} itself cannot be used here: Quarkus refuses it at build time unless the build's
 *       JDK and its {@code --release} are 19 or later, and this build is JDK 17's</li>
 *   <li>{@code GET /key/uni-emit-on/<op>}: returns a {@code Uni} (so the method itself runs on the event loop) whose
 *       item is emitted on Mutiny's default worker pool, which Quarkus makes its own ({@code executor-thread-<n>}),
 *       where the operation runs</li>
 * </ul>
 * Whatever fails propagates: no exception mapper turns it into an answer, so Quarkus answers 500.
 */
@Path("/")
@Produces(MediaType.TEXT_PLAIN)
public class OperationsResource {
    private static final String FAMILY = "{family: key|basic|anon}";

    @Context
    UriInfo uriInfo;

    @Inject
    @VirtualThreads
    ExecutorService virtualThreads;

    @GET
    @Path(FAMILY + "/{op}")
    public String run(@PathParam("op") String op) throws Exception {
        return HostOperations.run(op, params());
    }

    @GET
    @Path(FAMILY + "/event-loop/{op}")
    @NonBlocking
    public String runOnEventLoop(@PathParam("op") String op) throws Exception {
        return HostOperations.run(op, params());
    }

    @GET
    @Path("key/virtual-thread/{op}")
    public String runOnVirtualThread(@PathParam("op") String op) throws Exception {
        Map<String, String> params = params();
        return virtualThreads.submit(() -> HostOperations.run(op, params)).get();
    }

    @GET
    @Path("key/uni-emit-on/{op}")
    public Uni<String> runEmittedOnWorkerPool(@PathParam("op") String op) {
        Map<String, String> params = params();
        return Uni.createFrom().item(op)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(Unchecked.function(name -> HostOperations.run(name, params)));
    }

    /** The query parameters, the first value of each. */
    private Map<String, String> params() {
        Map<String, String> params = new LinkedHashMap<>();
        uriInfo.getQueryParameters().forEach((name, values) -> {
            if (!values.isEmpty()) {
                params.put(name, values.get(0));
            }
        });
        return params;
    }
}
