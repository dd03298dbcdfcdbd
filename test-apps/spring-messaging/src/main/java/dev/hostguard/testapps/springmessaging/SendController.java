package dev.hostguard.testapps.springmessaging;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /send?system=&op=[&cmd=...]}: the listener's report on the message, once it handled it. */
@RestController
class SendController {
    private static final long ANSWER_TIMEOUT_SECONDS = 30;

    private final MessageRelay relay;

    SendController(MessageRelay relay) {
        this.relay = relay;
    }

    @GetMapping("/send")
    String send(@RequestParam Map<String, String> message) throws Exception {
        return relay.send(message).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
