"""The public points and star board: ranked by yearly score, names masked, my rank for a member."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from points_mall.common.fields import mask_name

from .browser import browser, live_server  # noqa: F401  (fixtures)


def award(client, park, members, rule="service.volunteer", who="org_general"):
    r = client.post("/api/v1/awards", json={"member_ids": [m.id for m in members], "rule_code": rule},
                    headers=park.auth(who))
    assert r.status_code == 201


def test_the_board_ranks_by_score_masks_names_and_shares_ranks_on_ties(client, park):
    a1, a2, a3 = park.members_a[1:4]
    b1 = park.members_b[1]
    award(client, park, [a1, a2, b1])
    award(client, park, [a1])
    board = client.get(f"/api/v1/boards/points?org_id={park.root.id}").get_json()
    top = [(r["rank"], r["name"], r["score"]) for r in board["rows"][:4]]
    assert top[0] == (1, mask_name(a1.name), 10)
    assert {t[1] for t in top[1:3]} == {mask_name(a2.name), mask_name(b1.name)} and top[1][0] == top[2][0] == 2
    assert top[3][0] == 4 and top[3][2] == 0
    assert all(a1.name != r["name"] and "phone" not in r for r in board["rows"])
    assert board["members"] == len(park.members_a) + len(park.members_b) and board["my_rank"] is None
    mine = client.get(f"/api/v1/boards/points?org_id={park.root.id}", headers=park.auth(a3)).get_json()
    assert mine["my_rank"] == 4 and mine["my_score"] == 0


def test_the_board_of_a_branch_and_of_one_dimension(client, park):
    award(client, park, [park.members_a[1], park.members_b[1]])
    award(client, park, [park.members_b[2]], rule="study.meeting")
    branch_b = client.get(f"/api/v1/boards/points?org_id={park.branch_b.id}").get_json()
    assert branch_b["members"] == len(park.members_b)
    study = client.get(f"/api/v1/boards/points?org_id={park.root.id}&dimension=study").get_json()
    assert study["rows"][0]["score"] == 2 and study["rows"][0]["stars"] is None
    assert client.get("/api/v1/boards/points?org_id=999").status_code == 404
    assert client.get(f"/api/v1/boards/points?org_id={park.root.id}&dimension=fun").status_code == 422


def test_the_board_page_shows_the_ranking(client, park, browser, live_server):  # noqa: F811
    award(client, park, [park.members_a[1]])
    browser.get(f"{live_server}/board?org_id={park.root.id}")
    wait = WebDriverWait(browser, 10, poll_frequency=0.1)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#board-rows tr"))
    first = browser.find_element(By.CSS_SELECTOR, "#board-rows tr").text
    assert first.startswith(f"1 {mask_name(park.members_a[1].name)}") and " 5" in first
    assert "年党员积分公示栏" in browser.find_element(By.ID, "board-title").text
