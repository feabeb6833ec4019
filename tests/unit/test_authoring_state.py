"""The authoring family's typed state (dialogs/flows/authoring_files.py, `Authoring`): the
course being written stays while the teacher moves between writing, editing, importing and
publishing it (publishing is called), and is gone once they leave; a teacher an older
release left mid-edit, with untyped keys, goes on typed. On the in-memory fakes."""

from __future__ import annotations

from typing import Any

from tests.driver import Learner
from tests.fakes.ports import World
from tests.unit.test_flows_on_fakes import WATER, invited_teacher


def authoring(teacher: Learner) -> dict[str, Any]:
    """The authoring family's stored state."""
    found: dict[str, Any] = teacher.state.data["flows"]["authoring"]
    return found


async def test_the_course_written_stays_across_the_authoring_flows_and_goes_once_left() -> None:
    world = World()
    teacher, _ = await invited_teacher(world)
    await teacher.tap("Mes cours")
    await teacher.tap("Nouveau cours")
    await teacher.send("Le compost")
    await teacher.tap("Sciences")
    await teacher.tap("CM2")
    assert authoring(teacher)["title"] == "Le compost"  # the header being chosen
    await teacher.tap("Français")
    assert "Le brouillon « Le compost » est prêt." in teacher.texts()
    course = authoring(teacher)["course"]
    assert course.startswith("le-compost-")
    assert (authoring(teacher)["title"], authoring(teacher)["subject"]) == ("", "")
    await teacher.tap("Nouvelle leçon")
    await teacher.send("Faire un compost")
    await teacher.send("Des épluchures et des feuilles.")
    assert authoring(teacher)["steps"] == 1
    await teacher.tap("Leçon terminée")

    await teacher.tap("Modifier une leçon")  # authoring_edit.py
    await teacher.tap("1. Faire un compost")
    assert teacher.state.step == "author_edit_steps"
    assert (authoring(teacher)["course"], authoring(teacher)["edit_lesson"]) == (course, 0)
    await teacher.tap("Les leçons")
    await teacher.tap("Le cours")
    await teacher.tap("Importer un fichier")  # authoring_files.py
    assert teacher.state.data["flows"].keys() == {"authoring"}
    await teacher.tap("Retour")

    await teacher.tap("Publier")  # publishing.py, another flow: called
    assert [f["then"] for f in teacher.state.data["calls"]] == ["author_course"]
    await teacher.tap("Les élèves de mon pays")
    assert teacher.state.data["flows"]["publishing"]["visibility"] == "country"
    await teacher.tap("CC BY-SA 4.0")
    await teacher.send("Awa Ndiaye")  # asked once: the name the teacher signs with
    assert "Publié : les élèves de votre pays" in teacher.texts()
    assert teacher.state.step == "author_course"
    assert "calls" not in teacher.state.data
    assert teacher.state.data["flows"].keys() == {"authoring"}  # publishing's is dropped
    assert authoring(teacher)["course"] == course

    await teacher.send("/menu")
    assert "flows" not in teacher.state.data


async def test_a_question_half_built_is_typed_and_forgotten_once_in_the_quiz() -> None:
    world = World()
    teacher, uid = await invited_teacher(world)
    world.course(uid, "eau", WATER)
    await teacher.tap("Mes cours")
    await teacher.tap("Le cycle de l'eau")
    await teacher.tap("Question pour la dernière leçon")
    await teacher.send("D'où vient la pluie ?")
    await teacher.tap("Réponses à choisir")
    await teacher.send("Des nuages\nDu sol")
    await teacher.tap("Des nuages")
    work = authoring(teacher)
    assert (work["question"], work["kind"], work["options"], work["right"]) == (
        "D'où vient la pluie ?",
        "choice",
        ["Des nuages", "Du sol"],
        [0],
    )
    await teacher.tap("Valider")
    await teacher.tap("Pas d'explication")
    assert "Question ajoutée." in teacher.texts()
    work = authoring(teacher)
    assert (work["course"], work["question"], work["options"], work["right"]) == ("eau", "", [], [])
    assert "? D'où vient la pluie ?" in world.courses["eau"][1]


async def test_a_teacher_an_older_release_left_mid_edit_goes_on_typed() -> None:
    world = World()
    teacher, uid = await invited_teacher(world)
    world.course(uid, "eau", WATER)
    teacher.state.data.update(authoring="eau", edit_lesson=0, edit_step=0, steps=3)
    teacher.state.step = "author_edit_step"
    await teacher.resume()
    assert "Aujourd'hui : le cycle de l'eau." in teacher.texts(teacher.sent[-1:])
    await teacher.tap("Les étapes")
    assert not {"authoring", "edit_lesson", "edit_step", "steps"} & teacher.state.data.keys()
    assert (authoring(teacher)["course"], authoring(teacher)["steps"]) == ("eau", 3)
    await teacher.tap("1. Aujourd'hui : le cycle de l'eau.")  # the course is still known
    assert teacher.state.step == "author_edit_step"
    await teacher.tap("Remplacer")
    await teacher.send("Aujourd'hui : la pluie.")
    assert "Étape remplacée." in teacher.texts()
    assert "Aujourd'hui : la pluie." in world.courses["eau"][1]
