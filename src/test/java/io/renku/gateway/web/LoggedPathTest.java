package io.renku.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoggedPathTest {
    @ParameterizedTest(name = "{0} is logged as {1}")
    @CsvSource({"/api/auth/user;jsessionid=NwtmEH2hlkfMOpGOlorowAB9RGi8LqvPokhFnhilwKc,/api/auth/user",
        "/api/data/projects;v=1/group%2Fproject;x=2/files,/api/data/projects/group%2Fproject/files",
        "/api/data/a;;b/c;,/api/data/a/c", "/api/data/plain,/api/data/plain", "/;x,/"})
    void pathParametersNeverReachTheAccessLog(String uri, String logged) {
        assertEquals(logged, RequestFilter.loggedPath(uri));
    }
}
