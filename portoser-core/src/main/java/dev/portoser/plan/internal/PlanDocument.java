package dev.portoser.plan.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.portoser.ErrorMessages;
import dev.portoser.plan.Action;
import dev.portoser.plan.Plan;
import dev.portoser.plan.PlanningException;
import dev.portoser.plan.Step;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link Plan}: written and read with Jackson, never by hand, and versioned.
 *
 * @param schemaVersion the format version; only {@link Plan#SCHEMA_VERSION} is read
 * @param action see {@link Plan#action()}
 * @param scope see {@link Plan#scope()}
 * @param targets see {@link Plan#targets()}
 * @param registryFingerprint see {@link Plan#registryFingerprint()}
 * @param steps see {@link Plan#steps()}
 * @param assignedPorts see {@link Plan#assignedPorts()}
 * @param fingerprints see {@link Plan#fingerprints()}
 */
public record PlanDocument(int schemaVersion, Action action, String scope, List<String> targets,
                           String registryFingerprint, List<Step> steps, Map<String, Integer> assignedPorts,
                           Map<String, Map<String, String>> fingerprints) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The plan as JSON text. */
    public static String write(Plan plan) {
        PlanDocument doc = new PlanDocument(Plan.SCHEMA_VERSION, plan.action(), plan.scope(), plan.targets(),
                plan.registryFingerprint(), plan.steps(), plan.assignedPorts(), plan.fingerprints());
        try {
            return JSON.writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan could not be written as JSON", e);
        }
    }

    /** The plan in JSON text, checked. */
    public static Plan read(String json) {
        PlanDocument doc;
        try {
            doc = JSON.readValue(json, PlanDocument.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new PlanningException("not a Portoser plan: " + ErrorMessages.describe(e));
        }
        if (doc.schemaVersion() != Plan.SCHEMA_VERSION) {
            throw new PlanningException("the plan has schemaVersion " + doc.schemaVersion()
                    + "; this version of Portoser reads " + Plan.SCHEMA_VERSION);
        }
        if (doc.action() == null || doc.scope() == null || doc.targets() == null || doc.steps() == null
                || doc.registryFingerprint() == null || doc.assignedPorts() == null || doc.fingerprints() == null) {
            throw new PlanningException("not a Portoser plan: a required field is missing");
        }
        return new Plan(doc.action(), doc.scope(), doc.targets(), doc.steps(), doc.registryFingerprint(),
                doc.assignedPorts(), doc.fingerprints());
    }
}
