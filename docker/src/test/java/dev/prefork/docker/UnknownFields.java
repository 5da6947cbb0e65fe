package dev.prefork.docker;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.IntOrString;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds YAML keys that the Kubernetes model does not know (fabric8 keeps them in {@code additionalProperties}
 * instead of failing): a misspelt {@code readinesProbe} would otherwise be silently ignored.
 */
final class UnknownFields {
    private UnknownFields() {
    }

    /** Paths such as {@code spec.template.spec.containers[0].readinesProbe}, empty when every key is known. */
    static List<String> in(Object resource) {
        List<String> found = new ArrayList<>();
        walk(resource, "", found);
        return found;
    }

    private static void walk(Object node, String path, List<String> found) {
        if (node == null || !isModel(node) || node instanceof Quantity || node instanceof IntOrString) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (!isGetter(getter)) {
                continue;
            }
            Object value = invoke(getter, node);
            String name = propertyName(getter);
            if ("additionalProperties".equals(name)) {
                if (value instanceof Map && !((Map<?, ?>) value).isEmpty()) {
                    ((Map<?, ?>) value).keySet().forEach(k -> found.add(join(path, String.valueOf(k))));
                }
            } else if (value instanceof Collection) {
                int i = 0;
                for (Object element : (Collection<?>) value) {
                    walk(element, join(path, name) + "[" + i++ + "]", found);
                }
            } else if (value instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    walk(e.getValue(), join(path, name) + "." + e.getKey(), found);
                }
            } else {
                walk(value, join(path, name), found);
            }
        }
    }

    private static boolean isModel(Object node) {
        return node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model");
    }

    private static boolean isGetter(Method m) {
        return m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers())
                && m.getName().startsWith("get") && !m.getName().equals("getClass");
    }

    private static String propertyName(Method getter) {
        String n = getter.getName().substring(3);
        return Character.toLowerCase(n.charAt(0)) + n.substring(1);
    }

    private static Object invoke(Method getter, Object node) {
        try {
            return getter.invoke(node);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter + " of " + node.getClass().getName(), e);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
