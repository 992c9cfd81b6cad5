/* An embedded interpreter whose start-up modules and app come from frore's table. */
#include <Python.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frozen/frozen_modules.h"

/* Where the app's .py files are, for runs with the table switched off or in
   auto mode.  Each build of the example defines it (Make, Meson, CMake, SCons:
   the example's folder); without it, the folder holding the program is used
   (and auto mode takes $FRORE_SOURCE_ROOT). */
#ifndef EXAMPLE_SOURCE_DIR
#define EXAMPLE_SOURCE_DIR NULL
#endif

/* Put *dir* (or, when NULL, the program's folder) first on sys.path. */
static int add_source_dir(const char *dir)
{
    PyObject *path = PySys_GetObject("path");   /* borrowed */
    PyObject *entry;
    int rc;

    if (dir == NULL)
        return PyRun_SimpleString(
            "import os, sys\n"
            "sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))\n");
    entry = PyUnicode_DecodeFSDefault(dir);
    rc = (path == NULL || entry == NULL) ? -1 : PyList_Insert(path, 0, entry);
    Py_XDECREF(entry);
    if (rc != 0)
        PyErr_Print();
    return rc;
}

int main(int argc, char **argv)
{
    PyConfig config;
    PyStatus status;
    PyObject *names, *app, *result;
    int i, rc = 1, from_source = 0;

    /* Before Py_Initialize: the interpreter reads the table while starting.  The
       source folder is for auto mode: an app module edited since the build is
       left out of the table and imports from there. */
    switch (frore_install_frozen_modules_at(EXAMPLE_SOURCE_DIR)) {
    case 1:
        from_source = 1;
        if (strcmp(frore_frozen_modules_mode(), "none") == 0)
            fprintf(stderr, "frozen table compiled without modules "
                            "(-DFRORE_DISABLE_FROZEN_MODULES)\n");
        else if (getenv("FRORE_FROZEN_MODULES") != NULL)
            fprintf(stderr, "frozen table disabled by FRORE_FROZEN_MODULES\n");
        else
            fprintf(stderr, "frozen table off by default (built with "
                            "FRORE_FROZEN_MODULES_DEFAULT=off)\n");
        break;
    case 0:
        if (strcmp(frore_frozen_modules_mode(), "auto") == 0) {
            from_source = 1;        /* the edited ones: from the source folder */
            fprintf(stderr, "frozen table in auto mode: %d module(s) left out (their "
                            "package changed since the build), imported from source\n",
                    frore_frozen_modules_left_out());
        }
        break;
    default:
        fprintf(stderr, "out of memory installing the frozen table\n");
        return 1;
    }

    /* Isolated: no environment variables, no user site-packages. */
    PyConfig_InitIsolatedConfig(&config);
    status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (PyStatus_Exception(status))
        goto fail;
    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status))
        goto fail;
    PyConfig_Clear(&config);

    /* Table switched off: import the app from its sources, so edits to the .py
       files take effect without rebuilding. */
    if (from_source && add_source_dir(EXAMPLE_SOURCE_DIR) != 0)
        goto done;

    names = PyList_New(0);
    for (i = 0; i < frore_frozen_module_count; i++) {
        PyObject *name = PyUnicode_FromString(frore_frozen_module_name(i));
        PyList_Append(names, name);
        Py_DECREF(name);
    }
    app = PyImport_ImportModule("app");
    result = app ? PyObject_CallMethod(app, "main", "O", names) : NULL;
    if (result == NULL)
        PyErr_Print();
    else
        rc = (int)PyLong_AsLong(result);
    Py_XDECREF(result);
    Py_XDECREF(app);
    Py_DECREF(names);
done:
    if (Py_FinalizeEx() < 0)
        rc = 120;
    return rc;

fail:
    PyConfig_Clear(&config);
    Py_ExitStatusException(status);
}
