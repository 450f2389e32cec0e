package io.renku.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One reading of the Cookie header: pairs at ';' only, names and values trimmed. */
class CookiePairsTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        a=1; b=2                        | a=1 & b=2
        a=1;b=2;                        | a=1 & b=2
        ' a = 1 ;; b=2 '                | a=1 & b=2
        'a=b, _renku_session=v'         | a=b, _renku_session=v
        a=x=y                           | a=x=y
        flag                            | =flag
        '"q"=1'                         | "q"=1
        """)
    void pairsAreSplitAtSemicolonsOnly(String header, String expected) {
        List<CookiePairs.Pair> pairs = CookiePairs.of(header);
        assertEquals(expected, pairs.stream().map(p -> p.name() + "=" + p.value()).collect(Collectors.joining(" & ")));
    }
}
