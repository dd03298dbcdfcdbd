package dev.hostguard.agent.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostguard.agent.AllocationMeter;
import dev.hostguard.agent.policy.CredentialSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Where a request presents a key ({@link ApiKeyCredentials#find}): what is found, and from where. */
class ApiKeyCredentialsTest {
    private static final ApiKeyCredentials DEFAULTS = ApiKeyCredentials.of(CredentialSettings.DEFAULTS);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Token k|k|Authorization scheme Token",
            "TOKEN   k|k|Authorization scheme TOKEN",
            "'  apikey  k2  '|k2|Authorization scheme apikey",
            "Api-Key a b|a b|Authorization scheme Api-Key",
    })
    void authorizationSchemes(String authorization, String key, String source) {
        ApiKeyCredentials.Presented found = DEFAULTS.find(new FakeRequest().header("Authorization", authorization));
        assertEquals(new ApiKeyCredentials.Presented(key, source), found);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer eyJ.x.y", "Token", "Token   ", " Token", "Tokens k",
            "Toke k", "Token\tk", "", "   ", " k"})
    void otherAuthorizationValuesPresentNoKey(String authorization) {
        assertNull(DEFAULTS.find(new FakeRequest().header("Authorization", authorization)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "api_key=k|k|query parameter api_key",
            "a=1&api_key=k%20x|k x|query parameter api_key",
            "x=%zz&apikey=k|k|query parameter apikey",
            "api%5Fkey=k|k|query parameter api_key",
            "api_key=&api_key=%20&api-key=k2|k2|query parameter api-key",
            "&&path=/tmp/a&api_key=k&|k|query parameter api_key",
            "api_key=a=b|a=b|query parameter api_key",
    })
    void queryParameters(String query, String key, String source) {
        assertEquals(new ApiKeyCredentials.Presented(key, source), DEFAULTS.find(new FakeRequest().query(query)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api_key=", "api_key", "apikeys=k", "x=api_key", "%zz", "=k", "path=/tmp/a&x=1", "&",
            "api_ke=k", "api_key%=k"})
    void otherQueriesPresentNoKey(String query) {
        assertNull(DEFAULTS.find(new FakeRequest().query(query)));
    }

    @Test
    void aHeaderComesFirst() {
        assertEquals(new ApiKeyCredentials.Presented("h", "header X-API-Key"), DEFAULTS.find(new FakeRequest()
                .header("X-API-Key", " h ").header("Authorization", "Token a").query("api_key=q")));
    }

    /** What nearly every classified request looks like: a person's scheme, a query without a key. */
    @Test
    void aRequestWithoutAKeyAllocatesNothingHere() throws Exception {
        FakeRequest request = new FakeRequest().header("Authorization", "Basic dXNlcjpwYXNz")
                .query("path=/tmp/allowed-read.txt&verbose=1");
        double bytes = AllocationMeter.require().bytesPerCall(calls -> {
            for (int i = 0; i < calls; i++) {
                if (DEFAULTS.find(request) != null) {
                    throw new AssertionError("a key found");
                }
            }
        });
        assertTrue(bytes < AllocationMeter.ZERO_BYTES_PER_CALL, bytes + " bytes a call");
    }
}
