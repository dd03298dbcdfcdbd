package dev.hostguard.testapps.boot2;

import dev.hostguard.testapps.ops.HostOperations;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /<mechanism>/<op>} runs a {@link HostOperations} operation; whatever fails propagates. */
@RestController
class OperationsController {

    @GetMapping("/{mechanism:key|basic|anon}/{op}")
    String run(@PathVariable String op, @RequestParam Map<String, String> params) throws Exception {
        return HostOperations.run(op, params);
    }
}
